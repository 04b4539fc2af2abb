namespace Backprop.Data;

/// <summary>
/// Turns a target column's raw text into class indices or real values, applying the contract's
/// auto rule: a target that is not all numeric, or has at most 20 distinct values that are all
/// integers, is a classification target; otherwise regression.
/// </summary>
internal static class TargetEncoder
{
    public const int MaxAutoClassCount = 20;

    public readonly record struct Encoded(TaskKind Task, int[]? Labels, string[]? ClassNames, float[]? Targets);

    /// <param name="values">(rows) the target field of each row, as read.</param>
    /// <param name="lines">(rows) the 1-based line each row starts on, for messages.</param>
    public static Encoded Encode(string source, string column, List<string> values, List<int> lines,
        TaskKind? task, IReadOnlyList<string>? knownClasses)
    {
        if (knownClasses is not null)
        {
            if (task == TaskKind.Regression)
                throw new ArgumentException("class names were given for a regression target", nameof(knownClasses));
            return MapToKnownClasses(source, column, values, lines, knownClasses);
        }

        int rows = values.Count;
        var numbers = new double[rows];
        bool allNumeric = true;
        int firstNotFinite = -1;
        for (int i = 0; i < rows; i++)
        {
            NumberText.Outcome outcome = NumberText.TryParseDouble(values[i], out numbers[i]);
            if (outcome == NumberText.Outcome.Empty)
                throw new DataFormatException(source, lines[i], column, values[i], "the target is empty");
            if (outcome == NumberText.Outcome.NotFinite && firstNotFinite < 0) firstNotFinite = i;
            if (outcome != NumberText.Outcome.Number) allNumeric = false;
        }

        // A column of numbers with a NaN or infinity in it is numeric data with a bad value, not a set of labels.
        if (task != TaskKind.Classification && firstNotFinite >= 0 && OnlyNonFiniteAreNonNumeric(values))
            throw NotFinite(source, column, values[firstNotFinite], lines[firstNotFinite]);

        TaskKind resolved = task ?? (allNumeric && FewDistinctIntegers(numbers) ? TaskKind.Classification
            : allNumeric ? TaskKind.Regression : TaskKind.Classification);

        if (resolved == TaskKind.Regression)
        {
            var targets = new float[rows];
            for (int i = 0; i < rows; i++)
            {
                NumberText.Outcome outcome = NumberText.TryParseFloat(values[i], out targets[i]);
                if (outcome == NumberText.Outcome.NotFinite) throw NotFinite(source, column, values[i], lines[i]);
                if (outcome != NumberText.Outcome.Number)
                    throw new DataFormatException(source, lines[i], column, values[i],
                        $"'{Excerpt.Of(values[i])}' is not a number (a regression target must be numeric)");
            }
            return new Encoded(TaskKind.Regression, null, null, targets);
        }

        string[] classNames;
        Dictionary<string, int> indexOf;
        var labels = new int[rows];
        if (allNumeric)
        {
            double[] distinct = numbers.Distinct().Order().ToArray();
            // NOTE: a class is its number ("1" and "1.0" are one class). A number always written one way keeps that
            // spelling, the contract's "class label as it appeared in the training data", which "001" and "1.50" once
            // lost; one written several ways is named in shortest form.
            var spelling = new Dictionary<double, string?>();
            for (int i = 0; i < rows; i++)
            {
                string written = values[i].Trim();
                if (!spelling.TryAdd(numbers[i], written) && spelling[numbers[i]] != written) spelling[numbers[i]] = null;
            }
            classNames = distinct.Select(number => spelling[number] ?? NumberText.Canonical(number)).ToArray();
            var numericIndex = new Dictionary<double, int>();
            for (int c = 0; c < distinct.Length; c++) numericIndex[distinct[c]] = c;
            for (int i = 0; i < rows; i++) labels[i] = numericIndex[numbers[i]];
        }
        else
        {
            classNames = values.Select(v => v.Trim()).Distinct().Order(StringComparer.Ordinal).ToArray();
            indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int c = 0; c < classNames.Length; c++) indexOf[classNames[c]] = c;
            for (int i = 0; i < rows; i++) labels[i] = indexOf[values[i].Trim()];
        }
        if (classNames.Length < 2)
            throw new DataFormatException(source, null, column, null,
                $"the target has only one class ('{classNames[0]}'); classification needs at least two");
        return new Encoded(TaskKind.Classification, labels, classNames, null);
    }

    static Encoded MapToKnownClasses(string source, string column, List<string> values, List<int> lines,
        IReadOnlyList<string> knownClasses)
    {
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        var byNumber = new Dictionary<double, int>();
        for (int c = 0; c < knownClasses.Count; c++)
        {
            byName.TryAdd(knownClasses[c], c);
            if (NumberText.TryParseDouble(knownClasses[c], out double number) == NumberText.Outcome.Number)
                byNumber.TryAdd(number, c);
        }

        var labels = new int[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            string label = values[i].Trim();
            if (byName.TryGetValue(label, out int index)
                || (NumberText.TryParseDouble(label, out double number) == NumberText.Outcome.Number
                    && byNumber.TryGetValue(number, out index)))
            {
                labels[i] = index;
                continue;
            }
            if (label.Length == 0)
                throw new DataFormatException(source, lines[i], column, values[i], "the target is empty");
            throw new DataFormatException(source, lines[i], column, values[i],
                $"label '{Excerpt.Of(label)}' was not seen in training (known classes: {Listing(knownClasses)})");
        }
        return new Encoded(TaskKind.Classification, labels, knownClasses.ToArray(), null);
    }

    static bool FewDistinctIntegers(double[] numbers)
    {
        var distinct = new HashSet<double>();
        foreach (double number in numbers)
        {
            if (number != Math.Floor(number)) return false;
            if (distinct.Add(number) && distinct.Count > MaxAutoClassCount) return false;
        }
        return true;
    }

    static bool OnlyNonFiniteAreNonNumeric(List<string> values)
    {
        foreach (string value in values)
            if (NumberText.TryParseDouble(value, out _) is not (NumberText.Outcome.Number or NumberText.Outcome.NotFinite))
                return false;
        return true;
    }

    static DataFormatException NotFinite(string source, string column, string value, int line) =>
        new(source, line, column, value, NumberText.NotFiniteMessage(value));

    internal static string Listing(IReadOnlyList<string> names, int limit = 20) =>
        names.Count <= limit ? string.Join(", ", names) : string.Join(", ", names.Take(limit)) + $", … ({names.Count} in all)";
}
