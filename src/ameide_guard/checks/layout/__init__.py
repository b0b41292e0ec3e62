"""Layout rules, AG301-AG303: Buf modules, protos and generation configs live in the proto
package only, and its committed bundle stays fresh."""
