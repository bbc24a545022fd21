package atomicfile

import (
	"io/fs"
	"os"
)

// InputNamed returns the first of inputs that is the same file as out (the
// same device and inode, whatever the path or link that names it), or ""
// when there is none. out is nil when the output does not exist yet; it
// and an output that is not a regular file (a terminal, a pipe, the null
// device) never match. "-" (standard input) is skipped: the caller
// compares it by its file information if it has one.
//
// A command that writes a file it also reads would destroy its input (an
// export over its statement) or read its own output back: callers refuse
// to run when this returns a name.
func InputNamed(out fs.FileInfo, inputs []string) string {
	if out == nil || !out.Mode().IsRegular() {
		return ""
	}
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		if fi, err := os.Stat(in); err == nil && os.SameFile(out, fi) {
			return in
		}
	}
	return ""
}

// StatOutput returns the file information of an output path (following
// symbolic links), or nil if it does not exist or cannot be read: the
// argument InputNamed takes.
func StatOutput(path string) fs.FileInfo {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	return fi
}
