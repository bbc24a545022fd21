//go:build unix

package walk

import (
	"io/fs"
	"syscall"
)

func idOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true //nolint:unconvert // Dev is int32 on darwin
}

// lateStat: Options.LateStat is honoured (the caller has file IDs to find
// a file reached twice).
const lateStat = true
