//go:build !unix

package walk

import "io/fs"

// idOf reports false: this system's FileInfo has no device and inode
// (Windows); the walker compares directories with os.SameFile instead,
// and a file reached twice through links is listed twice.
func idOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }

// lateStat: Options.LateStat is ignored (a caller could not find a file
// reached twice).
const lateStat = false
