// Placeholder: the LocketLoadTests suites live beside this file.
import Testing
