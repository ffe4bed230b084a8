// Placeholder: the LocketFaultTests suites live beside this file.
import Testing
