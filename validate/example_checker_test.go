package validate_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cfonb-dev/cfonb/validate"
)

func ExampleChecker() {
	dir, err := os.MkdirTemp("", "statements")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	for _, name := range []string{"a.txt", "b.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(statement), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	// One Checker per goroutine: its buffers go from one file to the next.
	var c validate.Checker
	defer func() { _ = c.Close() }()
	for _, name := range []string{"a.txt", "b.txt"} {
		rep, err := c.File(filepath.Join(dir, name), validate.Options{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, rep.Records, "records,", rep.Errors, "error")
	}
	// Output:
	// a.txt 4 records, 1 error
	// b.txt 4 records, 1 error
}
