print("locket: under construction")
