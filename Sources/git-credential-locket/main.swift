print("git-credential-locket: under construction")
