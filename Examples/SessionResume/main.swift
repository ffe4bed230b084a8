print("locket-example: under construction")
