// locket-soak: placeholder until the crash soak driver lands.
print("locket-soak: not yet built")
