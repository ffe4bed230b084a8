module locket

go 1.19
