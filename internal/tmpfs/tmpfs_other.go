//go:build !linux

package tmpfs

import "errors"

var errNotLinux = errors.New("not Linux")

func mount(string, string) error { return errNotLinux }
func unmount(string) error       { return errNotLinux }
func remount(string, bool) error { return errNotLinux }
