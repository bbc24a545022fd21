//go:build !linux

package exepages

func release() error { return nil }
