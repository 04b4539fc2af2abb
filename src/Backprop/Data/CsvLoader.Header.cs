using Sylvan.Data.Csv;

namespace Backprop.Data;

// The header row: column names, the target column, the feature columns, and a first row that is a sample, not names.
public static partial class CsvLoader
{
    /// <summary>Column names, trimmed, which must differ; a blank name is known by its 1-based index ("column N" where a
    /// real column has that number as its name).</summary>
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
        // NOTE: pandas' to_csv() writes a blank index name beside columns named 0, 1, 2, …: the index's stand-in name "1"
        // then met the real column "1" and the file was refused for a name nobody wrote. Such a stand-in gives way.
        for (int i = 0; i < header.Length; i++)
            if (blank[i] && Enumerable.Range(0, header.Length).Any(other => other != i && !blank[other] && header[other] == header[i]))
                header[i] = $"column {i + 1}";
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
        // NOTE: only a target name that is not a number tells: columns named by years (2000, 2010, 2020) predicting the
        // last were refused whenever one row's target happened to equal 2020.
        if (NumberText.TryParseDouble(name, out _) == NumberText.Outcome.Number) return;
        int same = targetValues.FindIndex(value => value.Trim() == name);
        if (same >= 0)
            throw new DataFormatException(source, 1, null, null,
                $"the header row holds only numbers as feature names ({TargetEncoder.Listing(featureOrdinals.Select(o => columns[o]).ToArray(), 8)}), " +
                $"and its target name '{name}' is a value of the target column too (line {targetLines[same]}); the first row must name the columns");
    }

    /// <summary>Whether column names, in file order, may be a sample read as a header: all numbers, and not the
    /// 0, 1, 2, … or 1, 2, 3, … of pandas and numbered exports.</summary>
    /// <remarks>NOTE: such names cannot be refused (columns named by years or wavelengths are real), but a file without a
    /// header row loses its first sample to them without a word, so the CLI says so in a note.</remarks>
    internal static bool NamesMayBeASample(string[] names) =>
        names.All(name => NumberText.TryParseDouble(name, out _) == NumberText.Outcome.Number) && !NumberedInOrder(names);

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
            throw new DataFormatException(source, 1, null, named, $"no target column '{named}' (columns: {TargetEncoder.Listing(header)}){HeaderlessHint(header)}");
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
                    "name the target with --target" + HeaderlessHint(header));
            }
            // A model file that does not name its target: the one column that is not a feature, wherever it is (read
            // from the header here, so that a pipe such as /dev/stdin is read once).
            // predict does not guess: a lone other column may as well be an id (an IDX model has no target name either).
            if (options.TargetOptional) return -1;
            var trimmed = features.Select(feature => feature.Trim()).ToHashSet();
            var others = header.Where(name => !trimmed.Contains(name)).ToArray();
            if (others is [var sole]) return Array.IndexOf(header, sole);
            if (others.Length > 1)
                throw new DataFormatException(source, 1, null, null,
                    $"the columns {TargetEncoder.Listing(others)} are not features of the model; name the target among them with --target");
        }
        if (options.TargetOptional) return -1;
        if (header.Length < 2)
            throw new DataFormatException(source, 1, null, null, "need at least two columns (features and a target)" + OtherSeparator(header[0]));
        return header.Length - 1;
    }

    // NOTE: a file without a header row gives its first sample as the names, so a column asked for by name is missing and
    // the columns listed are numbers. Names that are all numbers cannot refuse the file (pandas' 0, 1, 2, years, wavelengths
    // load), but where a name is missing they say why it most likely is.
    static string HeaderlessHint(string[] header) =>
        header.All(name => NumberText.TryParseDouble(name, out _) == NumberText.Outcome.Number)
            ? "; the first row holds only numbers: if the file has no header row, add one naming the columns"
            : "";

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
                    $"no feature column '{name}', which the model expects (columns: {TargetEncoder.Listing(header)}){HeaderlessHint(header)}");
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
