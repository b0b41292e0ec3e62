"""The proto package's committed bundle: its layout (inputs and outputs), the freshness stamp
AG303 compares, and the Buf image reader deep mode uses."""
