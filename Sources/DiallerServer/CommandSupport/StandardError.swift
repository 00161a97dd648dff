/// Writes a line to standard error, keeping standard output for what scripts capture.
func printError(_ line: String) {
    StandardStream.error.write(line + "\n")
}
