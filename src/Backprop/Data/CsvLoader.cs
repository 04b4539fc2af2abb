using System.Text;
using Sylvan.Data.Csv;

namespace Backprop.Data;

/// <summary>
/// Reads a CSV file with a header row into a <see cref="DataSet"/>: every column but the target is a
/// numeric feature. Numbers are parsed in the invariant culture; NaN and infinity are errors.
/// Every problem is a <see cref="DataFormatException"/> naming the file, the 1-based line (the header
/// is line 1) and the column.
/// </summary>
public static partial class CsvLoader
{
    /// <summary>Reads a CSV file with a header row; malformed input is a <see cref="DataFormatException"/> naming the file, line and column.</summary>
    public static DataSet Load(string path, CsvLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DataFormatException(path, $"cannot read the file: {e.Message}", e);
        }
        using (stream) return Load(stream, path, options, path);
    }

    /// <summary>Reads UTF-8 CSV bytes; <paramref name="source"/> names them in messages.</summary>
    /// <param name="path">The file the stream reads, where it may be opened again: a large one is then read in stretches
    /// on several threads.</param>
    internal static DataSet Load(Stream stream, string source, CsvLoadOptions? options = null, string? path = null)
    {
        // NOTE: a pipe cannot be read again: its last blocks are kept as they pass, for the line of bytes that are not UTF-8.
        var recent = stream.CanSeek ? null : new RecentByteStream(stream);
        FileScan? scan = recent is null ? Scan(stream, path is null ? 1 : Stretches(stream.Length - stream.Position, options)) : null;
        Stream firstStretch = scan is { Cuts: [var cut, ..] } ? new PrefixStream(stream, cut.Offset - stream.Position) : recent ?? stream;
        // NOTE: leaveOpen, because the parser disposes the reader and a file is read again below.
        using var reader = new StreamReader(firstStretch, StrictUtf8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        try
        {
            return LoadText(reader, source, options, scan, scan is { Cuts.Count: > 0 } ? path : null);
        }
        catch (DecoderFallbackException e)
        {
            // NOTE: the reader decodes a block ahead of the parser, so the line is found in the bytes themselves.
            if (recent is null) stream.Position = 0;
            var (bytes, firstLine) = recent?.Kept() ?? (stream, 1);
            var (line, held) = FirstNonUtf8(bytes, firstLine) is { } first ? first : (null, e.BytesUnknown);
            throw NotUtf8(source, line, held, e);
        }
    }

    /// <param name="source">The name messages give the data, usually its path.</param>
    public static DataSet Load(TextReader reader, string source, CsvLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return LoadText(reader, source, options, scan: null, path: null);
        }
        catch (DecoderFallbackException e)
        {
            throw NotUtf8(source, null, e.BytesUnknown, e);
        }
    }

    // NOTE: strict, because the default decoder turns every byte that is not UTF-8 into U+FFFD: the Latin-1 labels
    // "café" and "cafè" became one class.
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The longest record read, in characters: room for a sample of 16,000,000 one-digit values, the most a
    /// network takes. The parser's buffer grows only as far as the longest record needs.</summary>
    /// <remarks>NOTE: the parser's own limit, 64K characters, refused any row or header longer than that: a CSV of
    /// 9,000 features (an 80 KB header) could not be read at all ("Row 0 was too large. Try increasing the
    /// MaxBufferSize setting.").</remarks>
    internal const int MaxRecordLength = 32 * 1024 * 1024;

    /// <param name="path">Given where the file is to be read in the stretches <paramref name="scan"/> found, and
    /// <paramref name="reader"/> reads the first of them.</param>
    static DataSet LoadText(TextReader reader, string source, CsvLoadOptions? options, FileScan? scan, string? path)
    {
        options ??= new CsvLoadOptions();
        CsvDataReader csv;
        var recent = new RecentTextReader(reader);
        try
        {
            csv = CsvDataReader.Create(recent, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',', MaxBufferSize = MaxRecordLength });
        }
        catch (CsvMissingHeadersException e)
        {
            throw new DataFormatException(source, "the file is empty (a header row is required)", e);
        }
        catch (CsvRecordTooLargeException e)
        {
            // NOTE: the parser reads the first data row with the header; its row 0 is the header, line 1.
            throw new DataFormatException(source, e.RowNumber + 1, null, null, RecordTooLarge, e);
        }
        catch (CsvFormatException e)
        {
            // The header row is read here, before the row loop that explains quoting errors: explain them the same way.
            string what = recent.From(1) is { } text && QuotingProblem(text, 1, recent.ReachedEnd) is { } problem ? $"column {problem.Field + 1}: {problem.What}" : $"malformed CSV header: {e.Message}";
            throw new DataFormatException(source, 1, null, null, what, e);
        }
        using (csv) return Read(csv, recent, source, options, scan, path);
    }

    static readonly string RecordTooLarge =
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"a record is too large to read (more than {MaxRecordLength:N0} characters); is this a CSV file?");

    static DataSet Read(CsvDataReader csv, RecentTextReader recent, string source, CsvLoadOptions options, FileScan? scan, string? path)
    {
        string[] header = ReadHeader(csv, source, out int named);
        if (header.Length == 1 && string.IsNullOrWhiteSpace(csv.GetName(0)))
            throw new DataFormatException(source, 1, null, null, "the header row is blank (a header row naming the columns is required)");
        string[] columns = header[..named];
        int targetOrdinal = FindTarget(columns, source, options);
        int[] featureOrdinals = ChooseFeatures(columns, targetOrdinal, source, options);
        int featureCount = featureOrdinals.Length;
        if (featureCount == 0) throw new DataFormatException(source, 1, null, null, "there are no feature columns");

        var layout = new Layout(source, header, named, featureOrdinals, targetOrdinal);
        var others = path is null ? null : new OtherStretches(path, scan!, layout);
        // Every data row takes at least one of the lines after the header's.
        var first = new Rows(others?.First ?? new FloatChunks(scan is { } counted ? (counted.Lines - 1) * featureCount : 0));
        try
        {
            // NOTE: Sylvan counts records, not lines; quoted fields may span lines, so count the newlines ourselves.
            ReadRows(csv, recent, layout, 1 + header.Sum(name => name.Count(ch => ch == '\n')), first, CancellationToken.None);
        }
        catch
        {
            others?.Abandon();
            throw;
        }
        var (features, targetValues, targetLines, rows) = others is null
            ? new Gathered(first.Features.ToArray(), first.TargetValues, first.TargetLines, first.Count)
            : Joined(first, others.Results(), others.Shared);

        if (rows == 0) throw new DataFormatException(source, "the file has a header but no data rows");
        if (options.FeatureNames is null && targetOrdinal >= 0)
            RefuseSampleAsHeader(csv, columns, featureOrdinals, targetOrdinal, targetValues, targetLines, source);

        string[] featureNames = featureOrdinals.Select(o => header[o]).ToArray();
        int[] inputShape = [featureCount];
        if (targetOrdinal < 0) return DataSet.Unlabelled(features, rows, featureNames, inputShape);
        if (options.TargetOptional && targetValues.Exists(value => value.AsSpan().Trim().IsEmpty))
        {
            // NOTE: data to predict often keeps its target column, left blank where the answer is not known (pandas
            // writes a missing label so). Such a file is unlabelled; the targets it does give are still checked.
            var (given, givenLines) = NonBlank(targetValues, targetLines);
            if (given.Count > 0) TargetEncoder.Encode(source, header[targetOrdinal], given, givenLines, options.Task, options.ClassNames);
            return DataSet.Unlabelled(features, rows, featureNames, inputShape);
        }

        TargetEncoder.Encoded target = TargetEncoder.Encode(source, header[targetOrdinal], targetValues, targetLines,
            options.Task, options.ClassNames);
        return target.Task == TaskKind.Classification
            ? DataSet.Classification(features, rows, featureNames, inputShape, target.Labels!, target.ClassNames!, header[targetOrdinal])
            : DataSet.Regression(features, rows, featureNames, inputShape, target.Targets!, header[targetOrdinal]);
    }

    /// <summary>The columns a row's fields go to, worked out from the header.</summary>
    sealed record Layout(string Source, string[] Header, int Named, int[] FeatureOrdinals, int TargetOrdinal);

    /// <summary>What a stretch of a file's rows gave.</summary>
    sealed class Rows(FloatChunks features)
    {
        public FloatChunks Features => features;
        public List<string> TargetValues { get; } = [];
        public List<int> TargetLines { get; } = [];
        public int Count { get; set; }
    }

    /// <summary>Every row of the file: the features (rows × features) and the target's text, with its line.</summary>
    readonly record struct Gathered(float[] Features, List<string> TargetValues, List<int> TargetLines, int Count);

    /// <summary>Reads rows until the parser's text ends (or <paramref name="abandon"/> asks to stop) into <paramref name="rows"/>.</summary>
    /// <param name="lineBefore">The 1-based line just before the parser's first record.</param>
    static void ReadRows(CsvDataReader csv, RecentTextReader recent, Layout layout, int lineBefore, Rows rows, CancellationToken abandon)
    {
        var (source, header, named, featureOrdinals, targetOrdinal) = layout;
        int nextLine = lineBefore;
        while (!abandon.IsCancellationRequested)
        {
            int line = nextLine + 1;
            try
            {
                if (!csv.Read()) break;
            }
            catch (CsvRecordTooLargeException e)
            {
                throw new DataFormatException(source, line, null, null, RecordTooLarge, e);
            }
            catch (CsvFormatException e)
            {
                // NOTE: the parser's message misleads: for '"1" ,a' it said a quoted field at the end of the input has
                // no closing quote. The record is read again to say what is wrong with which field.
                if (recent.From(line) is { } text && QuotingProblem(text, line, recent.ReachedEnd) is { } problem)
                    throw new DataFormatException(source, problem.Line, problem.Field < header.Length ? header[problem.Field] : null,
                        problem.Text, problem.What, e);
                throw new DataFormatException(source, line, null, null, $"malformed CSV record: {e.Message}", e);
            }
            ReadOnlySpan<char> raw = csv.GetRawRecordSpan();
            nextLine = line - 1 + Math.Max(1, raw.Count('\n'));
            if (raw.Trim().IsEmpty) continue;  // blank lines, including the one a trailing newline leaves

            if (csv.RowFieldCount != header.Length)
                throw new DataFormatException(source, line, null, null,
                    $"the row has {csv.RowFieldCount} fields but the header has {header.Length}");

            for (int ordinal = named; ordinal < header.Length; ordinal++)
                if (!csv.GetFieldSpan(ordinal).Trim().IsEmpty)
                    throw new DataFormatException(source, line, null, csv.GetString(ordinal),
                        $"column {ordinal + 1} has no name in the header, but this line holds '{Excerpt.Of(csv.GetString(ordinal))}' in it; name the column or remove the value");
            foreach (int ordinal in featureOrdinals)
                rows.Features.Add(ParseFeature(csv.GetFieldSpan(ordinal), source, line, header[ordinal]));
            if (targetOrdinal >= 0)
            {
                rows.TargetValues.Add(csv.GetString(targetOrdinal));
                rows.TargetLines.Add(line);
            }
            rows.Count++;
        }
    }

    static (List<string> Values, List<int> Lines) NonBlank(List<string> values, List<int> lines)
    {
        var kept = (Values: new List<string>(), Lines: new List<int>());
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i].AsSpan().Trim().IsEmpty) continue;
            kept.Values.Add(values[i]);
            kept.Lines.Add(lines[i]);
        }
        return kept;
    }

    static float ParseFeature(ReadOnlySpan<char> field, string source, int line, string column)
    {
        // NOTE: the common case first, without the calls and the trimming around it: a CSV of pixels is 47 million fields.
        if (NumberText.TryParsePlainDecimal(field, out double plain) && float.IsFinite((float)plain)) return (float)plain;
        switch (NumberText.TryParseFloat(field, out float value))
        {
            case NumberText.Outcome.Number:
                return value;
            case NumberText.Outcome.Empty:
                throw new DataFormatException(source, line, column, field.ToString(), "the value is empty (every feature must be a number)");
            case NumberText.Outcome.NotFinite:
                throw new DataFormatException(source, line, column, field.ToString(), NumberText.NotFiniteMessage(field));
            default:
                throw new DataFormatException(source, line, column, field.ToString(), $"'{Excerpt.Of(field)}' is not a number");
        }
    }

}
