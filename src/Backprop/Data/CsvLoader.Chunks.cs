using System.Runtime.ExceptionServices;
using System.Text;
using Sylvan.Data.Csv;

namespace Backprop.Data;

// A large file read on several threads at once: cut at line ends into stretches, each with a parser of its own.
public static partial class CsvLoader
{
    /// <summary>What one pass over a seekable file's bytes found: its lines, and where it may be cut.</summary>
    /// <param name="Lines">Lines from the stream's position on: more than the file has data rows.</param>
    /// <param name="Cuts">Byte offsets just past a newline, in order, with the newlines before each: the starts of the
    /// stretches after the first. Empty where the file may not be cut.</param>
    sealed record FileScan(long Lines, List<(long Offset, long LinesBefore)> Cuts);

    /// <summary>How many stretches to read a file of <paramref name="length"/> bytes in.</summary>
    static int Stretches(long length, CsvLoadOptions? options)
    {
        long threshold = options?.ParallelFromBytes ?? CsvLoadOptions.DefaultParallelFromBytes;
        if (length < threshold) return 1;
        int wanted = options?.ParallelStretches is > 0 and var forced ? forced : Math.Min(Environment.ProcessorCount, 8);
        return (int)Math.Clamp(length / Math.Max(1, threshold / 2), 1, wanted);
    }

    /// <summary>Counts a seekable stream's lines from its position on (it is left there) and, for
    /// <paramref name="stretches"/> &gt; 1, finds where to cut it.</summary>
    /// <remarks>NOTE: an extra pass over bytes that are usually in the page cache. With the count, the values go straight
    /// into the data set's one array (see <see cref="FloatChunks"/>). A newline byte is never part of another UTF-8
    /// character; in other encodings the count can only come out higher. A file is not cut when it holds a quote (a
    /// quoted field may hold a newline, so a cut could fall inside a record) or starts with a UTF-16 byte order mark.</remarks>
    static FileScan Scan(Stream stream, int stretches)
    {
        long start = stream.Position, length = stream.Length - start;
        var targets = Enumerable.Range(1, stretches - 1).Select(k => length * k / stretches).ToArray();
        var cuts = new List<(long Offset, long LinesBefore)>();
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long newlines = 0, at = 0;
            int read, last = '\n', next = 0;
            bool quoted = false, utf16 = false;
            while ((read = stream.Read(buffer)) > 0)
            {
                ReadOnlySpan<byte> block = buffer.AsSpan(0, read);
                if (at == 0) utf16 = block is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..];
                quoted |= block.Contains((byte)'"');
                // Each cut falls just past the first newline at or after its target.
                while (next < targets.Length && targets[next] < at + read)
                {
                    int from = (int)Math.Max(0, targets[next] - at);
                    int newline = block[from..].IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        targets[next] = at + read;  // look on in the next block
                        break;
                    }
                    int past = from + newline + 1;
                    long offset = at + past;
                    if (offset < length && (cuts.Count == 0 || offset > cuts[^1].Offset))
                        cuts.Add((start + offset, newlines + block[..past].Count((byte)'\n')));
                    next++;
                }
                newlines += block.Count((byte)'\n');
                last = block[^1];
                at += read;
            }
            return new FileScan(newlines + (last == '\n' ? 0 : 1), quoted || utf16 ? [] : cuts);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            stream.Position = start;
        }
    }

    /// <summary>The stretches after the first, each read on a thread of its own into its stretch of one shared array.</summary>
    sealed class OtherStretches
    {
        readonly Task<Rows>[] reading;
        readonly CancellationTokenSource abandon = new();

        /// <summary>The shared array: every row's values, when each stretch's rows fill its lines.</summary>
        public float[] Shared { get; }

        /// <summary>Where the first stretch's values go.</summary>
        public FloatChunks First { get; }

        public OtherStretches(string path, FileScan scan, Layout layout)
        {
            int width = layout.FeatureOrdinals.Length;
            // NOTE: lines bound the rows, so a file of mostly blank lines could bound them past an array's reach; its
            // stretches then collect on their own, and only the rows they hold have to fit.
            long bound = (scan.Lines - 1) * width;
            Shared = bound <= Array.MaxLength ? LargeArrays.Floats(bound) : [];
            // A stretch's rows take at most its lines; the first stretch's first line is the header.
            long RowsBefore(int cut) => scan.Cuts[cut].LinesBefore - 1;
            FloatChunks Stretch(long rowsBefore, long rowsAfter) => Shared.Length == 0 ? new FloatChunks()
                : new FloatChunks(Shared, (int)(rowsBefore * width), (int)((rowsAfter - rowsBefore) * width));
            First = Stretch(0, RowsBefore(0));
            reading = new Task<Rows>[scan.Cuts.Count];
            for (int k = 0; k < reading.Length; k++)
            {
                long offset = scan.Cuts[k].Offset, end = k + 1 < scan.Cuts.Count ? scan.Cuts[k + 1].Offset : long.MaxValue;
                long rowsBefore = RowsBefore(k), rowsAfter = k + 1 < scan.Cuts.Count ? RowsBefore(k + 1) : scan.Lines - 1;
                var features = Stretch(rowsBefore, rowsAfter);
                int firstLine = (int)scan.Cuts[k].LinesBefore + 1;
                reading[k] = Task.Factory.StartNew(() => ReadStretch(path, offset, end, firstLine, layout, new Rows(features), abandon.Token),
                    abandon.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }

        /// <summary>Waits for every stretch; the first that failed, in file order, throws its exception here.</summary>
        public IEnumerable<Rows> Results()
        {
            try { Task.WaitAll(reading); }
            catch (AggregateException) { }
            foreach (var task in reading)
                if (task.Exception is { } failed) ExceptionDispatchInfo.Capture(failed.InnerException ?? failed).Throw();
            return reading.Select(task => task.Result);
        }

        /// <summary>Stops the others once the first stretch failed (its error comes first in the file) and waits for them,
        /// so that no thread is still reading the file when the error is reported.</summary>
        public void Abandon()
        {
            abandon.Cancel();
            try { Task.WaitAll(reading); }
            catch (AggregateException) { }
        }
    }

    static Rows ReadStretch(string path, long offset, long end, int firstLine, Layout layout, Rows rows, CancellationToken abandon)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        file.Position = offset;
        using var reader = new StreamReader(new PrefixStream(file, end - offset), StrictUtf8, detectEncodingFromByteOrderMarks: false);
        var recent = new RecentTextReader(reader, firstLine);
        CsvDataReader csv;
        try
        {
            csv = CsvDataReader.Create(recent, new CsvDataReaderOptions { HasHeaders = false, Delimiter = ',', MaxBufferSize = MaxRecordLength });
        }
        catch (CsvRecordTooLargeException e)
        {
            throw new DataFormatException(layout.Source, firstLine, null, null, RecordTooLarge, e);
        }
        using (csv) ReadRows(csv, recent, layout, firstLine - 1, rows, abandon);
        return rows;
    }

    /// <summary>All the stretches' rows as one: the shared array itself when every stretch filled its part exactly.</summary>
    static Gathered Joined(Rows first, IEnumerable<Rows> others, float[] shared)
    {
        List<Rows> all = [first, .. others];
        long count = all.Sum(rows => rows.Features.Count);
        float[] features = count == shared.Length && all.TrueForAll(rows => rows.Features.FillsItsStretch) ? shared : new float[count];
        if (!ReferenceEquals(features, shared))
        {
            long at = 0;
            foreach (var rows in all)
            {
                rows.Features.CopyTo(features, at);
                at += rows.Features.Count;
            }
        }
        return new Gathered(features, [.. all.SelectMany(rows => rows.TargetValues)], [.. all.SelectMany(rows => rows.TargetLines)],
            all.Sum(rows => rows.Count));
    }

    /// <summary>The first <paramref name="length"/> bytes of a stream, read forward.</summary>
    sealed class PrefixStream(Stream inner, long length) : ForwardStream
    {
        long left = length;

        public override int Read(Span<byte> buffer)
        {
            if (left <= 0) return 0;
            int read = inner.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
            left -= read;
            return read;
        }
    }
}
