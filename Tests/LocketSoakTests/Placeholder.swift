// Placeholder: the LocketSoakTests suites live beside this file.
import Testing
