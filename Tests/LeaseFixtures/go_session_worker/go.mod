module locket-lease-worker

go 1.19

require locket v0.0.0

replace locket => ../../../Protocol/clients/go
