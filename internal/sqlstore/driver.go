package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// A Batcher dialect without round trips to save (SQLite) still runs a batch past
// database/sql (RunDirect): around each statement, database/sql takes its locks, converts
// the arguments and starts a goroutine for a query's context, which measured more CPU
// than SQLite's own work for a turn's small writes. The statements stay prepared on their
// connection (DirectConnector) and are finalized when it closes.

// DriverConn is what a driver's connection implements for DirectConnector: the
// interfaces database/sql looks for, which preparedConn keeps by embedding it.
type DriverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// preparedConn is a connection that keeps its statements prepared, for RunDirect and for
// the queries database/sql runs on it without a statement of its own (QueryContext,
// ExecContext). Only the goroutine holding the connection uses them (database/sql locks
// it around each call, Conn.Raw around RunDirect).
type preparedConn struct {
	DriverConn
	stmts map[string]*cachedStmt
	// spare holds the argument and column buffers of a statement run directly, for the
	// next one (run takes them, so a statement run inside another's rows gets its own).
	spare *runBuffers
}

// runBuffers are the buffers of one statement run directly.
type runBuffers struct {
	args []driver.NamedValue
	row  driverRow
}

// cachedStmt is a statement of a preparedConn; busy while a query's rows are open on it.
type cachedStmt struct {
	driver.Stmt
	busy bool
}

// Close finalizes the connection's statements, then closes it: SQLite keeps a connection
// with statements alive.
func (c *preparedConn) Close() error {
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.DriverConn.Close())...)
}

// stmt returns query prepared on c and the function that gives it back: the connection's
// own statement of query, prepared once, or, while that one is busy (an earlier query's
// rows still open), one prepared for this use alone and closed when given back.
func (c *preparedConn) stmt(ctx context.Context, query string) (driver.Stmt, func() error, error) {
	if cs, ok := c.stmts[query]; ok && !cs.busy {
		cs.busy = true
		return cs.Stmt, cs.release, nil
	}
	st, err := c.DriverConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := c.stmts[query]; ok || len(c.stmts) >= maxConnStmts {
		return st, st.Close, nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*cachedStmt{}
	}
	cs := &cachedStmt{Stmt: st, busy: true}
	c.stmts[query] = cs
	return st, cs.release, nil
}

func (cs *cachedStmt) release() error {
	cs.busy = false
	return nil
}

// QueryContext runs query with the connection's statement of it: a query database/sql
// runs without a statement of its own is parsed once a connection, not at each call.
func (c *preparedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st, release, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		release()
		return nil, err
	}
	dr, ok := rows.(driverRows)
	if !ok {
		rows.Close()
		release()
		return nil, fmt.Errorf("the driver's rows %T lack an interface of driverRows", rows)
	}
	return &releasingRows{driverRows: dr, release: release}, nil
}

// ExecContext runs query with the connection's statement of it (see QueryContext).
func (c *preparedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st, release, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	defer release()
	return st.(driver.StmtExecContext).ExecContext(ctx, args)
}

// driverRows is what the driver's rows implement, so that releasingRows, embedding them,
// keeps the column types database/sql asks for.
type driverRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// releasingRows gives its statement back when closed.
type releasingRows struct {
	driverRows
	release func() error
}

func (r *releasingRows) Close() error {
	err := r.driverRows.Close()
	if r.release != nil {
		err = errors.Join(err, r.release())
		r.release = nil
	}
	return err
}

// maxConnStmts bounds the statements a connection keeps prepared; a statement past it is
// prepared for each use. The store's turns use about twenty.
const maxConnStmts = 256

// DirectConnector opens connections of dsn with drv that keep their statements prepared
// for RunDirect.
func DirectConnector(drv driver.Driver, dsn string) driver.Connector {
	return connector{driver: drv, dsn: dsn}
}

type connector struct {
	driver driver.Driver
	dsn    string
}

func (c connector) Driver() driver.Driver { return c.driver }

func (c connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	dcc, ok := dc.(DriverConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("the driver's connection %T lacks an interface of DriverConn", dc)
	}
	return &preparedConn{DriverConn: dcc}, nil
}

// RunDirect runs the statements one after the other on dc, a connection of
// DirectConnector (as database/sql's Conn.Raw gives it), each prepared once on it.
func RunDirect(ctx context.Context, dc any, stmts []BatchStmt) error {
	c, ok := dc.(*preparedConn)
	if !ok {
		return fmt.Errorf("direct statements on a connection %T not of DirectConnector", dc)
	}
	for _, bs := range stmts {
		if err := c.run(ctx, bs); err != nil {
			return NamedError(bs.What, err)
		}
	}
	return nil
}

// NamedError returns err as the error of the batch's statement named what (nil for nil).
func NamedError(what string, err error) error {
	if err == nil || what == "" {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// run runs one statement of a batch.
func (c *preparedConn) run(ctx context.Context, bs BatchStmt) (err error) {
	st, release, err := c.stmt(ctx, bs.Query)
	if err != nil {
		return err
	}
	defer func() {
		if rerr := release(); err == nil {
			err = rerr
		}
	}()
	buf := c.spare
	if buf == nil {
		buf = &runBuffers{}
	}
	c.spare = nil
	defer func() {
		clear(buf.args)
		clear(buf.row.values)
		c.spare = buf
	}()
	args := slices.Grow(buf.args[:0], len(bs.Args))[:len(bs.Args)]
	buf.args = args
	for i, a := range bs.Args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a) // as database/sql does
		if err != nil {
			return fmt.Errorf("argument %d: %w", i+1, err)
		}
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	if bs.Scan == nil && bs.Each == nil {
		res, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
		if err != nil {
			return err
		}
		if bs.ID != nil {
			return lastInsertID(res, bs.ID)
		}
		if bs.Affected != nil {
			*bs.Affected, err = res.RowsAffected()
		}
		return err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	r := &buf.row
	r.values = slices.Grow(r.values[:0], len(rows.Columns()))[:len(rows.Columns())]
	for {
		switch err := rows.Next(r.values); {
		case errors.Is(err, io.EOF) && bs.Each != nil:
			return nil
		case errors.Is(err, io.EOF):
			r.values = nil
			return bs.Scan(r)
		case err != nil:
			return err
		case bs.Each == nil:
			return bs.Scan(r) // the first row is all Scan reads
		}
		if err := bs.Each(r); err != nil {
			return err
		}
	}
}

// driverRow is a row of a statement run directly; nil values when it returned none.
type driverRow struct{ values []driver.Value }

// Scan copies the row's columns into dest as database/sql's Scan does for the types the
// store scans: sql.Scanner, *string, *[]byte, *int64, *int, *bool, *float64 and *any.
func (r *driverRow) Scan(dest ...any) error {
	if r.values == nil {
		return sql.ErrNoRows
	}
	if len(dest) != len(r.values) {
		return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", len(r.values), len(dest))
	}
	for i, src := range r.values {
		if err := assign(dest[i], src); err != nil {
			return fmt.Errorf("sql: Scan error on column index %d: %w", i, err)
		}
	}
	return nil
}

// assign stores src, a value of the driver (nil, int64, float64, bool, []byte, string or
// time.Time), in dest.
func assign(dest, src any) error {
	if s, ok := dest.(sql.Scanner); ok {
		return s.Scan(src)
	}
	if src == nil {
		switch d := dest.(type) {
		case *[]byte:
			*d = nil
			return nil
		case *any:
			*d = nil
			return nil
		}
		return fmt.Errorf("converting NULL to %T is unsupported", dest)
	}
	switch d := dest.(type) {
	case *string:
		switch s := src.(type) {
		case string:
			*d = s
		case []byte:
			*d = string(s)
		default:
			*d = text(s)
		}
		return nil
	case *[]byte:
		switch s := src.(type) {
		case []byte:
			*d = bytes.Clone(s)
		case string:
			*d = []byte(s)
		default:
			*d = []byte(text(s))
		}
		return nil
	case *any:
		if b, ok := src.([]byte); ok {
			src = bytes.Clone(b)
		}
		*d = src
		return nil
	case *bool:
		v, err := driver.Bool.ConvertValue(src)
		if err != nil {
			return err
		}
		*d = v.(bool)
		return nil
	case *int64:
		n, err := integer(src, 64)
		*d = n
		return err
	case *int:
		n, err := integer(src, strconv.IntSize)
		*d = int(n)
		return err
	case *float64:
		switch s := src.(type) {
		case float64:
			*d = s
			return nil
		case int64:
			*d = float64(s)
			return nil
		}
		f, err := strconv.ParseFloat(text(src), 64)
		*d = f
		return err
	}
	return assignKind(dest, src)
}

// assignKind stores src in dest, a pointer to a named type of a basic kind
// (records.Status), as database/sql does by reflection.
func assignKind(dest, src any) error {
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.IsNil() {
		return fmt.Errorf("destination not a pointer: %T", dest)
	}
	switch e := dv.Elem(); e.Kind() {
	case reflect.String:
		switch v := src.(type) {
		case string:
			e.SetString(v)
			return nil
		case []byte:
			e.SetString(string(v))
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(text(src), 10, e.Type().Bits())
		if err == nil {
			e.SetInt(n)
		}
		return err
	case reflect.Bool:
		if v, ok := src.(bool); ok {
			e.SetBool(v)
			return nil
		}
	}
	return fmt.Errorf("unsupported Scan, storing driver.Value type %T into type %T", src, dest)
}

// integer converts src to an integer of bits bits.
func integer(src any, bits int) (int64, error) {
	if n, ok := src.(int64); ok {
		if bits < 64 && (n < -1<<(bits-1) || n >= 1<<(bits-1)) {
			return 0, fmt.Errorf("converting %d: value out of range", n)
		}
		return n, nil
	}
	return strconv.ParseInt(text(src), 10, bits)
}

// text is src as database/sql writes a driver value into a string.
func text(src any) string {
	switch s := src.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	case int64:
		return strconv.FormatInt(s, 10)
	case float64:
		return strconv.FormatFloat(s, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(s)
	case time.Time:
		return s.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(src)
}
