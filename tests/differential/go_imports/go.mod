module ameideguard.test/goimports

go 1.19
