// Package atomicfile writes files so that a reader, or a crash, sees either
// the old content or the new one, never a half-written file: the data goes
// to a temporary file in the same folder, is synced, then renamed over the
// target.
//
// A file that is replaced keeps its identity (see Replace and Write):
//   - a symbolic link is followed: its target is rewritten, the link stays;
//   - the owner, the group and the mode bits (setuid, setgid and sticky
//     included) are copied to the new file; as root the owner is restored
//     with chown;
//   - a file with hard links, or whose owner or group cannot be restored
//     (not running as root), is rewritten in place instead of renamed, so
//     that every link and the ownership stay: the new content is first
//     written completely to a temporary file and synced, then copied over
//     the old content. A crash during that copy leaves the complete new
//     content in the temporary file (its name is in the error).
//
// Source adds a check for a file being rewritten from its own content
// ("cfonb fmt -w"): the file must not change between the read and the
// replacement, or nothing is written (ErrChanged).
package atomicfile

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Method says how a file was written.
type Method uint8

const (
	// Created: the file did not exist; it was created by a rename.
	Created Method = iota
	// Renamed: a new file with the old one's owner, group and mode was
	// renamed over it (atomic: a reader sees the old or the new content).
	Renamed
	// InPlace: the old file was rewritten in place, after the new content
	// was complete and synced in a temporary file, to keep its hard links
	// or an owner that could not be restored.
	InPlace
)

// String names the method, for messages.
func (m Method) String() string {
	switch m {
	case Created:
		return "created"
	case Renamed:
		return "replaced"
	case InPlace:
		return "rewritten in place"
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// Write replaces the file at path with what write produces. A new file
// takes perm (when perm is zero, 0666 less the umask, as os.Create gives);
// an existing file keeps its identity
// as the package documentation says, and takes perm only when perm is not
// zero. If write returns an error, or anything fails, the target is left
// untouched and the temporary file removed.
func Write(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	_, err := WriteMethod(path, perm, write)
	return err
}

// WriteMethod is Write, and says how the file was written.
func WriteMethod(path string, perm fs.FileMode, write func(w io.Writer) error) (Method, error) {
	target, err := resolve(path)
	if err != nil {
		return 0, err
	}
	old, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	case err != nil:
		return 0, fmt.Errorf("atomicfile: %w", err)
	case !old.Mode().IsRegular():
		return 0, fmt.Errorf("atomicfile: %s: not a regular file", path)
	}
	return commit(target, old, perm, write, nil)
}

// WriteFile is Write for a byte slice.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// resolve follows the symbolic links of path, so that the file they lead to
// is written and the links stay. A path that does not exist is returned as
// is; a dangling link is an error (writing would create a file somewhere
// the user did not name).
func resolve(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("atomicfile: %s: a symbolic link that leads nowhere: %w", path, err)
	}
	return target, nil
}

// tempPattern is the pattern of the temporary file for a target named
// base: hidden, named after the target so that a leftover is recognised,
// and short enough for any file system (a 240-byte name plus a suffix
// would pass the 255-byte limit of a name).
func tempPattern(base string) string {
	const keep = 64
	if len(base) > keep {
		cut := keep
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	return "." + base + ".tmp-*"
}

// createTemp is os.CreateTemp with the mode of the new file (less the
// umask, as the kernel applies it): pattern's last "*" is replaced by a
// random string.
func createTemp(dir, pattern string, mode fs.FileMode) (*os.File, error) {
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	var err error
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10)+suffix)
		var f *os.File
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, err
}

// commit writes the new content to a temporary file next to target, gives
// it old's identity (old is nil for a new file), runs verify (if not nil)
// last, and puts the content in place.
func commit(target string, old fs.FileInfo, perm fs.FileMode, write func(io.Writer) error, verify func() error) (m Method, err error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	// A new file without a mode of its own is made as a shell's ">" or
	// os.Create makes it: 0666 less the umask, applied by the kernel (found
	// by a review: it was chmod 0644 whatever the umask, so a user with
	// umask 077 got exports of IBANs and payees readable by everyone).
	// Any other is made 0600 and given its mode at the end: the new
	// content of a private file is never readable by others meanwhile.
	tmpMode := fs.FileMode(0o600)
	if old == nil && perm == 0 {
		tmpMode = 0o666
	}
	tmp, err := createTemp(dir, tempPattern(base), tmpMode)
	if err != nil {
		return 0, fmt.Errorf("atomicfile: cannot write %s: its directory takes no temporary file, which is written first and renamed (nothing was changed): %w", target, err)
	}
	keepTmp := false
	defer func() {
		if err != nil {
			_ = tmp.Close()
			if !keepTmp {
				_ = os.Remove(tmp.Name())
			}
		}
	}()
	// How the file will be put in place is known before the content: the
	// owner is given to the temporary file first.
	method := Created
	if old != nil {
		method = Renamed
		if !keepIdentity(tmp, old) {
			method = InPlace
		}
	}
	// The checksum of what is written lets an in-place rewrite verify
	// both its copies (see copyInPlace); a rename needs none.
	sum := &crcWriter{w: newWriteback(tmp), skip: method != InPlace}
	if err = write(sum); err != nil {
		return 0, err
	}
	switch {
	case perm != 0 && method != InPlace:
		err = tmp.Chmod(perm)
	case method == Renamed:
		// After chown, which may clear the setuid and setgid bits.
		err = tmp.Chmod(modeBits(old.Mode()))
	}
	if err != nil {
		return 0, fmt.Errorf("atomicfile: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return 0, fmt.Errorf("atomicfile: %w", err)
	}
	if verify != nil {
		if err = verify(); err != nil {
			return 0, err
		}
	}
	if method == InPlace {
		if err = copyInPlace(target, tmp, sum); err != nil {
			keepTmp = true
			return 0, fmt.Errorf("atomicfile: rewriting %s in place: %w; its complete new content is in %s", target, err, tmp.Name())
		}
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return InPlace, nil
	}
	if err = tmp.Close(); err != nil {
		return 0, fmt.Errorf("atomicfile: %w", err)
	}
	if err = rename(tmp.Name(), target); err != nil {
		return 0, fmt.Errorf("atomicfile: %w", err)
	}
	syncDir(dir)
	return method, nil
}

// modeBits are the mode bits a replacement keeps: permissions, setuid,
// setgid and sticky.
func modeBits(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}

// crcWriter counts and checksums (CRC-32C) what goes through it, unless
// skip (then it only counts).
type crcWriter struct {
	w    io.Writer
	n    int64
	crc  uint32
	skip bool
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if !c.skip {
		c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	}
	c.n += int64(n)
	return n, err
}

// errCopyMismatch is returned when a copy made by copyInPlace does not read
// back as what was written.
var errCopyMismatch = errors.New("the copy does not read back as what was written")

// copyInPlace copies the content of tmp over the file at target, keeping
// target's inode (its hard links, owner, mode), then truncates and syncs
// it. Both copies are verified against want, the checksum of what was
// written: tmp before target is touched, then target read back once
// synced.
func copyInPlace(target string, tmp *os.File, want *crcWriter) error {
	if err := verifyCopy(tmp, want); err != nil {
		return fmt.Errorf("temporary file: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	n, err := io.Copy(f, tmp)
	if err != nil {
		return err
	}
	if err = f.Truncate(n); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = verifyCopy(f, want); err != nil {
		return err
	}
	return f.Close()
}

// verifyCopy reads f from its start and checks that it holds what want
// saw written.
func verifyCopy(f *os.File, want *crcWriter) error {
	back := &crcWriter{w: io.Discard}
	n, err := io.Copy(back, io.NewSectionReader(f, 0, want.n+1))
	if err != nil {
		return err
	}
	if n != want.n || back.crc != want.crc {
		return errCopyMismatch
	}
	return nil
}

// syncDir makes the rename durable; errors are ignored (some file systems
// cannot sync a directory).
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
