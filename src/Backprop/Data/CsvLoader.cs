using System.Buffers;
using System.Text;
using Sylvan.Data.Csv;

namespace Backprop.Data;

/// <summary>
/// Reads a CSV file with a header row into a <see cref="DataSet"/>: every column but the target is a
/// numeric feature. Numbers are parsed in the invariant culture; NaN and infinity are errors.
/// Every problem is a <see cref="DataFormatException"/> naming the file, the 1-based line (the header
/// is line 1) and the column.
/// </summary>
public static class CsvLoader
{
    public static DataSet Load(string path, CsvLoadOptions? options = null)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DataFormatException(path, $"cannot read the file: {e.Message}", e);
        }
        using (stream)
        {
            // NOTE: leaveOpen, because the parser disposes the reader and the file may be read again below.
            using var reader = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
            try
            {
                return LoadText(reader, path, options);
            }
            catch (DecoderFallbackException e)
            {
                // NOTE: the reader decodes a block ahead of the parser, so the line is found by reading the file again
                // (a pipe cannot be read again).
                var (line, bytes) = stream.CanSeek && FirstNonUtf8(stream) is { } first ? first : (null, e.BytesUnknown);
                throw NotUtf8(path, line, bytes, e);
            }
        }
    }

    /// <param name="source">The name messages give the data, usually its path.</param>
    public static DataSet Load(TextReader reader, string source, CsvLoadOptions? options = null)
    {
        try
        {
            return LoadText(reader, source, options);
        }
        catch (DecoderFallbackException e)
        {
            throw NotUtf8(source, null, e.BytesUnknown, e);
        }
    }

    // NOTE: strict, because the default decoder turns every byte that is not UTF-8 into U+FFFD: the Latin-1 labels
    // "café" and "cafè" became one class.
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static DataSet LoadText(TextReader reader, string source, CsvLoadOptions? options)
    {
        options ??= new CsvLoadOptions();
        CsvDataReader csv;
        var recent = new RecentTextReader(reader);
        try
        {
            csv = CsvDataReader.Create(recent, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
        }
        catch (CsvMissingHeadersException e)
        {
            throw new DataFormatException(source, "the file is empty (a header row is required)", e);
        }
        using (csv) return Read(csv, recent, source, options);
    }

    static DataFormatException NotUtf8(string source, int? line, byte[]? bytes, Exception inner)
    {
        string held = bytes is null or [] ? "bytes" : bytes.Length == 1 ? $"the byte 0x{bytes[0]:X2}"
            : "the bytes " + string.Join(" ", bytes.Select(b => $"0x{b:X2}"));
        return new DataFormatException(source, line, null, null,
            $"the file is not UTF-8 text (it holds {held}, which UTF-8 does not allow here); save it as UTF-8", inner);
    }

    /// <returns>The 1-based line of the first byte sequence that is not UTF-8, and its bytes; null when there is none.</returns>
    static (int? Line, byte[] Bytes)? FirstNonUtf8(Stream stream)
    {
        stream.Position = 0;
        var buffer = new byte[1 << 16];
        int carried = 0, line = 1;
        while (true)
        {
            int read = stream.Read(buffer, carried, buffer.Length - carried);
            int length = carried + read, position = 0;
            while (position < length)
            {
                OperationStatus status = Rune.DecodeFromUtf8(buffer.AsSpan(position, length - position), out Rune rune, out int used);
                if (status == OperationStatus.NeedMoreData && read > 0) break;  // a character split between blocks
                if (status != OperationStatus.Done) return (line, buffer[position..(position + used)]);
                if (rune.Value == '\n') line++;
                position += used;
            }
            if (read == 0) return null;
            carried = length - position;
            Array.Copy(buffer, position, buffer, 0, carried);
        }
    }

    static DataSet Read(CsvDataReader csv, RecentTextReader recent, string source, CsvLoadOptions options)
    {
        string[] header = ReadHeader(csv, source, out int named);
        if (header.Length == 1 && string.IsNullOrWhiteSpace(csv.GetName(0)))
            throw new DataFormatException(source, 1, null, null, "the header row is blank (a header row naming the columns is required)");
        string[] columns = header[..named];
        int targetOrdinal = FindTarget(columns, source, options);
        int[] featureOrdinals = ChooseFeatures(columns, targetOrdinal, source, options);
        int featureCount = featureOrdinals.Length;
        if (featureCount == 0) throw new DataFormatException(source, 1, null, null, "there are no feature columns");

        var features = new List<float>();
        var targetValues = new List<string>();
        var targetLines = new List<int>();
        // NOTE: Sylvan counts records, not lines; quoted fields may span lines, so count the newlines ourselves.
        int nextLine = 1 + header.Sum(name => name.Count(ch => ch == '\n'));
        int rows = 0;
        while (true)
        {
            int line = nextLine + 1;
            try
            {
                if (!csv.Read()) break;
            }
            catch (CsvRecordTooLargeException e)
            {
                throw new DataFormatException(source, line, null, null, "a record is too large to read", e);
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
                        $"column {ordinal + 1} has no name in the header, but this line holds '{csv.GetString(ordinal)}' in it; name the column or remove the value");
            foreach (int ordinal in featureOrdinals)
                features.Add(ParseFeature(csv.GetFieldSpan(ordinal), source, line, header[ordinal]));
            if (targetOrdinal >= 0)
            {
                targetValues.Add(csv.GetString(targetOrdinal));
                targetLines.Add(line);
            }
            rows++;
        }
        if (rows == 0) throw new DataFormatException(source, "the file has a header but no data rows");
        if (options.FeatureNames is null && targetOrdinal >= 0)
            RefuseSampleAsHeader(csv, columns, featureOrdinals, targetOrdinal, targetValues, targetLines, source);

        string[] featureNames = featureOrdinals.Select(o => header[o]).ToArray();
        float[] featureArray = features.ToArray();
        int[] inputShape = [featureCount];
        if (targetOrdinal < 0) return DataSet.Unlabelled(featureArray, rows, featureNames, inputShape);

        TargetEncoder.Encoded target = TargetEncoder.Encode(source, header[targetOrdinal], targetValues, targetLines,
            options.Task, options.ClassNames);
        return target.Task == TaskKind.Classification
            ? DataSet.Classification(featureArray, rows, featureNames, inputShape, target.Labels!, target.ClassNames!, header[targetOrdinal])
            : DataSet.Regression(featureArray, rows, featureNames, inputShape, target.Targets!, header[targetOrdinal]);
    }

    /// <summary>
    /// The first quoted field of the record at the start of <paramref name="text"/> that is not closed properly: text after
    /// its closing quote, or (when <paramref name="toEnd"/> says the text runs to the end of the input) no closing quote.
    /// </summary>
    /// <param name="line">The 1-based line <paramref name="text"/> starts on.</param>
    static (int Line, int Field, string Text, string What)? QuotingProblem(string text, int line, bool toEnd)
    {
        char[] stops = [',', '\r', '\n'];
        int position = 0;
        for (int field = 0; ; field++)
        {
            if (position < text.Length && text[position] == '"')
            {
                int start = position, startLine = line;
                while (true)
                {
                    int quote = text.IndexOf('"', position + 1);
                    if (quote < 0)
                    {
                        if (!toEnd) return null;  // the closing quote may lie beyond the text kept
                        int lineEnd = text.IndexOfAny(['\r', '\n'], start);
                        return (startLine, field, text[start..(lineEnd < 0 ? text.Length : lineEnd)],
                            "a quoted field has no closing quote (it runs to the end of the file)");
                    }
                    line += text.AsSpan(position, quote - position).Count('\n');
                    position = quote + 1;
                    if (position < text.Length && text[position] == '"') continue;  // "" is a quote inside the field
                    break;
                }
                if (position < text.Length && Array.IndexOf(stops, text[position]) < 0)
                {
                    int end = text.IndexOfAny(stops, position);
                    return (line, field, text[start..(end < 0 ? text.Length : end)],
                        $"text after the closing quote of a quoted field ('{text[start..(end < 0 ? text.Length : end)]}'); " +
                        "a comma or the end of the line must follow it");
                }
            }
            else
            {
                int end = text.IndexOfAny(stops, position);
                position = end < 0 ? text.Length : end;
            }
            if (position >= text.Length || text[position] != ',') return null;  // the record ends with nothing wrong found
            position++;
        }
    }

    static float ParseFeature(ReadOnlySpan<char> field, string source, int line, string column)
    {
        switch (NumberText.TryParseFloat(field, out float value))
        {
            case NumberText.Outcome.Number:
                return value;
            case NumberText.Outcome.Empty:
                throw new DataFormatException(source, line, column, field.ToString(), "the value is empty (every feature must be a number)");
            case NumberText.Outcome.NotFinite:
                throw new DataFormatException(source, line, column, field.ToString(), NumberText.NotFiniteMessage(field));
            default:
                throw new DataFormatException(source, line, column, field.ToString(), $"'{field}' is not a number");
        }
    }

    /// <summary>Column names, trimmed, which must differ; a blank name is known by its 1-based index.</summary>
    /// <param name="named">How many columns hold data: blank-named columns that end the header do not.</param>
    static string[] ReadHeader(CsvDataReader csv, string source, out int named)
    {
        var header = new string[csv.FieldCount];
        var blank = new bool[header.Length];
        for (int i = 0; i < header.Length; i++)
        {
            string name = csv.GetName(i);
            if (i == 0) name = name.TrimStart('\uFEFF');  // a BOM the stream reader did not strip
            // NOTE: trimmed as values and labels are, so that "a, b, y" has a column 'y'.
            name = name.Trim();
            blank[i] = name.Length == 0;
            header[i] = blank[i] ? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : name;
        }
        // NOTE: a trailing comma on every line (Excel writes one) leaves a blank-named last column; taken as the target it
        // failed on every row. Its lines are checked to be empty there. A blank first column stays: pandas writes its
        // index so, and it is a feature named "1".
        named = header.Length;
        while (named > 1 && blank[named - 1]) named--;
        // NOTE: columns are matched by name (the target, and a model's features in eval and predict), so a repeated
        // name would train and then fail to evaluate on the very same file.
        for (int i = 1; i < named; i++)
        {
            int first = Array.IndexOf(header, header[i], 0, i);
            if (first >= 0 && Enumerable.Range(0, named).All(ordinal => NamedByNumber(csv, ordinal)))
                throw new DataFormatException(source, 1, null, null,
                    $"the header row holds only numbers ({TargetEncoder.Listing(header[..named], 8)}), some of them twice; the first row must name the columns");
            if (first >= 0)
                throw new DataFormatException(source, 1, header[i], null,
                    $"the name is used by columns {first + 1} and {i + 1}; every column needs its own name");
        }
        return header;
    }

    static bool NamedByNumber(CsvDataReader csv, int ordinal) =>
        NumberText.TryParseDouble(csv.GetName(ordinal).TrimStart('\uFEFF'), out _) == NumberText.Outcome.Number;

    // NOTE: a file without a header row silently lost its first sample to the names. Names that are numbers do not tell
    // (pandas names a frame's columns 0, 1, 2, … by default; spectra are named by wavelength), but a target name that is
    // also one of the target's values does: the first row is a sample.
    static void RefuseSampleAsHeader(CsvDataReader csv, string[] columns, int[] featureOrdinals, int targetOrdinal,
        List<string> targetValues, List<int> targetLines, string source)
    {
        if (!featureOrdinals.All(ordinal => NamedByNumber(csv, ordinal)) || NumberedInOrder(columns)) return;
        string name = columns[targetOrdinal];
        bool numeric = NumberText.TryParseDouble(name, out double number) == NumberText.Outcome.Number;
        int same = targetValues.FindIndex(value => value.Trim() == name
            || (numeric && NumberText.TryParseDouble(value, out double other) == NumberText.Outcome.Number && other == number));
        if (same >= 0)
            throw new DataFormatException(source, 1, null, null,
                $"the header row holds only numbers as feature names ({TargetEncoder.Listing(featureOrdinals.Select(o => columns[o]).ToArray(), 8)}), " +
                $"and its target name '{name}' is a value of the target column too (line {targetLines[same]}); the first row must name the columns");
    }

    /// <summary>Whether the columns are named 0, 1, 2, … or 1, 2, 3, …, as pandas and numbered exports name them.</summary>
    static bool NumberedInOrder(string[] columns) =>
        columns.Select((name, i) => name == i.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(same => same)
        || columns.Select((name, i) => name == (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).All(same => same);

    // A one-column header that holds another common separator is most likely a file written with it.
    static string OtherSeparator(string name) =>
        name.Contains(';') ? "; the header holds ';': columns must be separated by commas"
        : name.Contains('\t') ? "; the header holds tabs: columns must be separated by commas"
        : "";

    /// <returns>The target's ordinal, or -1 when the target is optional and absent.</returns>
    static int FindTarget(string[] header, string source, CsvLoadOptions options)
    {
        if (options.Target is { } named)
        {
            int match = IndexOf(header, named);
            if (match >= 0 || options.TargetOptional) return match;
            throw new DataFormatException(source, 1, null, named, $"no target column '{named}' (columns: {TargetEncoder.Listing(header)})");
        }
        if (options.FeatureNames is { } features)
        {
            // NOTE: a model's data: its target is the column the model was trained to predict, found by name, so that
            // other columns (an id, a note) are told apart from it.
            if (options.ModelTarget is { } modelTarget)
            {
                int match = IndexOf(header, modelTarget);
                if (match >= 0 || options.TargetOptional) return match;
                throw new DataFormatException(source, 1, null, modelTarget,
                    $"no target column '{modelTarget}', the column the model was trained to predict (columns: {TargetEncoder.Listing(header)}); " +
                    "name the target with --target");
            }
            // A model file that does not name its target: the one column that is not a feature, wherever it is (read
            // from the header here, so that a pipe such as /dev/stdin is read once).
            var trimmed = features.Select(feature => feature.Trim()).ToHashSet();
            var others = header.Where(name => !trimmed.Contains(name)).ToArray();
            if (others is [var sole]) return Array.IndexOf(header, sole);
            if (options.TargetOptional) return -1;
            if (others.Length > 1)
                throw new DataFormatException(source, 1, null, null,
                    $"the columns {TargetEncoder.Listing(others)} are not features of the model; name the target among them with --target");
        }
        if (options.TargetOptional) return -1;
        if (header.Length < 2)
            throw new DataFormatException(source, 1, null, null, "need at least two columns (features and a target)" + OtherSeparator(header[0]));
        return header.Length - 1;
    }

    // NOTE: header names are trimmed; so is a name given to look for (a model saved before they were, --target " y").
    static int IndexOf(string[] header, string name) => Array.IndexOf(header, name.Trim());

    static int[] ChooseFeatures(string[] header, int targetOrdinal, string source, CsvLoadOptions options)
    {
        if (options.FeatureNames is null)
            return Enumerable.Range(0, header.Length).Where(i => i != targetOrdinal).ToArray();

        var ordinals = new int[options.FeatureNames.Count];
        for (int f = 0; f < ordinals.Length; f++)
        {
            string name = options.FeatureNames[f];
            int ordinal = IndexOf(header, name);
            if (ordinal < 0)
                throw new DataFormatException(source, 1, null, name,
                    $"no feature column '{name}', which the model expects (columns: {TargetEncoder.Listing(header)})");
            if (ordinal == targetOrdinal)
                throw new DataFormatException(source, 1, name, null, options.Target is null
                    ? "the last column, taken as the target, is one of the model's features; the file has no other column for the target"
                    : "the target column is one of the model's features");
            ordinals[f] = ordinal;
        }
        // predict passes over other columns; eval measures the model on exactly its features and target.
        if (!options.TargetOptional)
            for (int i = 0; i < header.Length; i++)
                if (i != targetOrdinal && Array.IndexOf(ordinals, i) < 0)
                    throw new DataFormatException(source, 1, header[i], null, "the model has no such feature");
        return ordinals;
    }
}
