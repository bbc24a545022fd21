package export

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/cfonb-dev/cfonb/cfonb"
)

// The parallel export (Options.Workers): the exporter's goroutine reads
// and frames the records and follows the statements, as with one
// goroutine, and instead of formatting each movement it adds the movement
// (its records' bytes and what the output takes from its statement) to a
// batch. A full batch goes to a pool of workers, each with a formatter of
// its own, which format it as the exporter would (the same formatter
// code), or, when a batch is already waiting for them, the exporter
// formats it itself; a writer writes the batches' output in the order
// they were made.
// The JSONL and CSV (default columns) formats only: their output for a
// movement depends only on the movement, its statement and the file's
// name. The other formats keep state from one movement to the next (the
// JSON document's commas, the fr columns' running balance, the workbook).

// maxWorkers bounds the workers of a parallel export, and so its memory.
const maxWorkers = 8

// batchSize is how many bytes of records a batch of movements holds before
// it goes to a worker.
const batchSize = 128 << 10

// batch is movements collected for a worker, and then their output.
type batch struct {
	size int         // the bytes of records it is made for (newBatch)
	recs []byte      // each movement's 04 data, then its 05s' data
	ends []int       // the end of each 05 in its movement's complements
	mvs  []batchMove // the movements, in order
	sts  []batchStmt // the statements of the movements, in order
	acct []byte      // the statements' account JSON, one after the other
	// out is the batch's output: what comes before its movements (the
	// CSV header), then their output.
	out []byte
	// ready gets a value when out is complete.
	ready chan struct{}
}

// batchMove is a movement in a batch: the pending movement, by offsets.
// Its records end where the next movement's start (or at the end of
// recs), and so do its 05s' ends. The offsets fit in 32 bits: a batch
// is handed over once it holds batchSize bytes, and a record is at most
// cfonb.DefaultMaxKeep bytes.
type batchMove struct {
	line         int
	start, comps int32 // its 04 is recs[start:comps], its 05s follow
	ends0        int32 // its 05s' ends are from ends[ends0]
	st           int32 // its statement, in sts
	escape       bool
}

// batchStmt is what the output of a movement takes from its statement
// (stmtView), copied once per statement and batch.
type batchStmt struct {
	file         string
	account      cfonb.Account
	iban         [27]byte
	ibanOK       bool
	decimals     int
	acct0, acct1 int // its account JSON is acct[acct0:acct1]
}

// newBatch returns an empty batch for size bytes of records, with room
// for them and their output: allocated once, at their full size, so that
// the batches going round leave no garbage behind them (JSON Lines take
// about 2.6 bytes per byte of records).
func newBatch(size int) *batch {
	return &batch{
		size:  size,
		recs:  make([]byte, 0, size+2*cfonb.DefaultMaxKeep),
		mvs:   make([]batchMove, 0, size/cfonb.RecordLen+1),
		out:   make([]byte, 0, 3*size),
		ready: make(chan struct{}, 1),
	}
}

// reset empties b, keeping its buffers, unless a movement of thousands
// of complements grew them past twice their size (and 1 MiB of records
// or 4 MiB of output, so that the usual growth of an append never
// counts): those are given back,
// or every batch going round would keep the largest movement it ever held
// (found by a review: 94 MB with 8 workers against 53 MB with one).
func (b *batch) reset() {
	if cap(b.recs) > max(2*(b.size+2*cfonb.DefaultMaxKeep), 1<<20) || cap(b.out) > max(6*b.size, 4<<20) {
		*b = batch{size: b.size, ready: b.ready, recs: make([]byte, 0, b.size+2*cfonb.DefaultMaxKeep),
			mvs: make([]batchMove, 0, b.size/cfonb.RecordLen+1), out: make([]byte, 0, 3*b.size)}
		return
	}
	b.recs, b.ends, b.mvs, b.sts, b.acct, b.out = b.recs[:0], b.ends[:0], b.mvs[:0], b.sts[:0], b.acct[:0], b.out[:0]
}

// formatBatch appends the output of the batch's movements to b.out, with f.
func (f *formatter) formatBatch(b *batch) {
	var sv stmtView
	cur := -1
	for i := range b.mvs {
		m := &b.mvs[i]
		end, ends1 := len(b.recs), len(b.ends)
		if i+1 < len(b.mvs) {
			end, ends1 = int(b.mvs[i+1].start), int(b.mvs[i+1].ends0)
		}
		if int(m.st) != cur {
			cur = int(m.st)
			s := &b.sts[cur]
			f.setFile(s.file)
			sv = stmtView{acctJSON: b.acct[s.acct0:s.acct1], account: &s.account, decimals: s.decimals}
			if s.ibanOK {
				sv.iban = s.iban[:]
			}
		}
		p := pending{
			ok: true, line: m.line, escape: m.escape,
			data:  b.recs[m.start:m.comps:m.comps],
			comps: b.recs[m.comps:end:end],
			ends:  b.ends[m.ends0:ends1:ends1],
		}
		f.decode(&p, sv.decimals)
		b.out = f.appendRow(b.out, &sv)
	}
}

// batchMovement adds the pending movement to the exporter's batch, and
// hands the batch over when it is full.
func (e *Exporter) batchMovement() {
	b := e.batch
	if b == nil {
		b = newBatch(e.batchSize)
		e.batch = b
	}
	if len(b.sts) == 0 || e.stGen != e.batchGen {
		// The statement's first movement in this batch.
		e.batchGen = e.stGen
		sv := &e.sv
		s := batchStmt{file: e.file, account: *sv.account, decimals: sv.decimals, acct0: len(b.acct)}
		if sv.iban != nil {
			s.ibanOK = true
			copy(s.iban[:], sv.iban)
		}
		b.acct = append(b.acct, sv.acctJSON...)
		s.acct1 = len(b.acct)
		b.sts = append(b.sts, s)
	}
	p := &e.mv
	b.mvs = append(b.mvs, batchMove{line: p.line, start: int32(len(b.recs)), comps: int32(len(b.recs) + len(p.data)),
		ends0: int32(len(b.ends)), st: int32(len(b.sts) - 1), escape: p.escape})
	b.recs = append(b.recs, p.data...)
	b.recs = append(b.recs, p.comps...)
	b.ends = append(b.ends, p.ends...)
	if len(b.recs) >= e.batchSize {
		e.putBatch()
	}
}

// putBatch hands the exporter's batch, after what its output holds, to
// the workers (started at the first full batch: a small export is
// formatted at Close, on the exporter's goroutine).
func (e *Exporter) putBatch() {
	b := e.batch
	if e.err != nil {
		b.reset() // nothing more is written
		return
	}
	if e.pool == nil {
		e.pool = newPool(e.w, e.opts, e.batchSize)
		e.pool.selfEvery = e.selfEvery
	}
	b.out = append(b.out[:0], e.out...)
	e.out = e.out[:0]
	e.batch = e.pool.put(b, e.f)
	if e.pool.failed.Load() {
		e.stopPool()
	}
}

// endBatches formats or hands over what the batch holds, and waits for
// every batch to be written.
func (e *Exporter) endBatches() {
	b := e.batch
	switch {
	case b == nil:
	case e.pool != nil:
		if len(b.mvs) > 0 || len(e.out) > 0 {
			e.putBatch()
		}
	case e.err == nil:
		// The export never filled a batch: formatted here.
		b.out, e.out = e.out, b.out
		e.f.formatBatch(b)
		b.out, e.out = e.out, b.out
		b.reset()
	}
	e.stopPool()
}

// stopPool waits for the workers and the writer to end, if they run, and
// keeps the first write error.
func (e *Exporter) stopPool() {
	if e.pool == nil {
		return
	}
	if err := e.pool.stop(); err != nil && e.err == nil {
		e.err = err
	}
	e.pool = nil
}

// pool is the workers and the writer of a parallel export. The batches go
// round: the exporter fills one and puts it, the workers format it, the
// writer writes it (in the order they were put) and frees it. At most
// max (the workers and 3) exist, which bounds the memory.
type pool struct {
	w       io.Writer
	work    chan *batch // to format
	order   chan *batch // to write, in order
	free    chan *batch // written, to fill again
	made    int         // batches made (exporter side)
	max     int
	size    int // the batches' size (Exporter.batchSize)
	workers sync.WaitGroup
	done    chan struct{} // closed when the writer ends
	err     error         // the first write error; read after done is closed
	failed  atomic.Bool   // err is set
	// dropped: the export is abandoned (Discard): nothing more is
	// formatted or written.
	dropped atomic.Bool
	// puts counts the batches put; with selfEvery > 0 (tests), every
	// selfEvery-th is formatted by the exporter whatever the workers do.
	puts, selfEvery int
}

func newPool(w io.Writer, opts Options, size int) *pool {
	n := min(opts.Workers, maxWorkers)
	p := &pool{w: w, max: n + 3, size: size, done: make(chan struct{})}
	p.made = 1 // the exporter's
	p.work = make(chan *batch, p.max)
	p.order = make(chan *batch, p.max)
	p.free = make(chan *batch, p.max)
	p.workers.Add(n)
	for range n {
		go p.work1(newFormatter(opts))
	}
	go p.write()
	return p
}

// work1 is a worker: it formats the batches it gets with f.
func (p *pool) work1(f *formatter) {
	defer p.workers.Done()
	for b := range p.work {
		if !p.failed.Load() && !p.dropped.Load() {
			f.formatBatch(b)
		}
		b.ready <- struct{}{}
	}
}

// write writes the batches' output in order.
func (p *pool) write() {
	defer close(p.done)
	for b := range p.order {
		<-b.ready
		if !p.failed.Load() && !p.dropped.Load() && len(b.out) > 0 {
			if _, err := p.w.Write(b.out); err != nil {
				p.err = fmt.Errorf("writing the export: %w", err)
				p.failed.Store(true)
			}
		}
		b.reset()
		p.free <- b
	}
}

// put hands b over, to a worker or formatted with f (the exporter's), and
// returns an empty batch to fill next.
func (p *pool) put(b *batch, f *formatter) *batch {
	p.order <- b
	p.puts++
	if self := p.selfEvery > 0 && p.puts%p.selfEvery == 0; self || len(p.work) > 0 {
		// The workers have a batch waiting already (or are not given the
		// cores): this one is formatted here, with the exporter's
		// formatter, while its records are in this core's cache.
		if !p.failed.Load() {
			f.formatBatch(b)
		}
		b.ready <- struct{}{}
	} else {
		p.work <- b
	}
	if p.made < p.max {
		select {
		case next := <-p.free:
			return next
		default:
			p.made++
			return newBatch(p.size)
		}
	}
	// Every batch is out: until one is written, the exporter formats
	// those that wait for a worker rather than wait itself (on a busy
	// machine, a goroutine that waits gives its core away).
	for {
		select {
		case next := <-p.free:
			return next
		case w := <-p.work: // open: only stop, after the last put, closes it
			if !p.failed.Load() && !p.dropped.Load() {
				f.formatBatch(w)
			}
			w.ready <- struct{}{}
		}
	}
}

// stop waits for every batch put to be written (or dropped), ends the
// goroutines and returns the first write error. The pool cannot be used
// after.
func (p *pool) stop() error {
	close(p.work)
	close(p.order)
	p.workers.Wait()
	<-p.done
	return p.err
}
