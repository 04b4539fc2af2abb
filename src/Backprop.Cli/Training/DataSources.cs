using System.Globalization;
using Backprop.Data;

namespace Backprop.Cli.Training;

/// <summary>Resolves `--data PATH` (absent: built-in digits; a folder: IDX; a file: CSV) into data sets.</summary>
internal static class DataSources
{
    /// <param name="Notes">`note:` lines for standard error.</param>
    public sealed record TrainingData(DataSet Train, DataSet Test, string Description, IReadOnlyList<string> Notes);

    private const string TargetWithIdx = "--target is for CSV data; an IDX folder's labels are its targets";

    /// <remarks>A flag that cannot apply to the data is refused rather than ignored.</remarks>
    public static TrainingData LoadForTraining(string? path, string? target, string? testPath, double testSplit, bool testSplitGiven,
        TaskKind? task, long seed)
    {
        if (testPath is not null && testSplitGiven) throw new UsageException("--test-split and --test both choose the test set; give one of them");
        if (path is null)
        {
            if (testPath is not null) throw new UsageException("--test needs --data");
            if (target is not null) throw new UsageException("--target needs --data: the built-in digits' target is their label");
            if (task == TaskKind.Regression) throw new UsageException("--task regression: the built-in digits are a classification set");
            var digits = BuiltinData.LoadDigits();
            var (train, test) = Split.TrainTest(digits, testSplit, seed);
            return new(train, test, BuiltinData.DigitsSource, []);
        }
        if (Directory.Exists(path))
        {
            if (testPath is not null) throw new UsageException("--test is for CSV data; an IDX folder brings its own t10k test files");
            if (testSplitGiven) throw new UsageException("--test-split is for CSV data; an IDX folder brings its own t10k test files");
            if (target is not null) throw new UsageException(TargetWithIdx);
            if (task == TaskKind.Regression) throw new UsageException("--task regression: an IDX folder holds class labels");
            var (train, test) = IdxLoader.LoadFolder(path);
            // NOTE: CSV targets get this check in TargetEncoder; IDX labels are read as they are.
            if (train.ClassCount < 2)
                throw new DataFormatException(path, $"the labels hold only one class ('{train.ClassNames![0]}'); classification needs at least two");
            return new(train, test, path, []);
        }
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file or folder");
        var all = CsvLoader.Load(path, new CsvLoadOptions { Target = target, Task = task });
        string? note = target is null && all.TargetName is { } targetName && CsvLoader.NamesMayBeASample([.. all.FeatureNames, targetName])
            ? $"note: {path}: the header row holds only numbers ({TargetEncoder.Listing([.. all.FeatureNames, targetName], 8)}); " +
              "if the file has no header row, its first sample was read as the column names: add a header row"
            : null;
        if (testPath is null)
        {
            // NOTE: Split throws ArgumentOutOfRangeException on one row (exit 1); this is bad input, so say so here.
            if (all.Rows < 2) throw new DataFormatException(path, "the file has a single data row; training needs at least two (one held out for testing), or a --test file");
            var (train, test) = Split.TrainTest(all, testSplit, seed);
            // A stratified split keeps a class of one row in training; with every class that small nothing is left to test on.
            if (test.Rows == 0) throw new DataFormatException(path, $"{all.Rows} rows are too few to hold out a test split (no class has two rows); add rows or give a --test file");
            string? shareNote = SplitShareNote(path, all, test.Rows, testSplit);
            return new(train, test, path, [.. new[] { note, shareNote }.OfType<string>()]);
        }
        if (Directory.Exists(testPath)) throw new UsageException($"--test: {testPath} is a folder; --test takes a CSV file");
        if (!File.Exists(testPath)) throw new UsageException($"{testPath}: no such file");
        var testSet = CsvLoader.Load(testPath, new CsvLoadOptions
        {
            // As for eval: the target is the column that is not a feature, wherever the test file puts it.
            Target = target,
            Task = all.Task,
            ClassNames = all.ClassNames,
            FeatureNames = all.FeatureNames,
        });
        return new(all, testSet, path, note is null ? [] : [note]);
    }

    // NOTE: a stratified split keeps at least one row of each class (of two or more) on each side, so many small classes
    // move the test share far from --test-split (100 rows of 50 classes: 50 %, not 20 %) and silently halve the training data.
    private static string? SplitShareNote(string path, DataSet all, int testRows, double testSplit)
    {
        double share = (double)testRows / all.Rows;
        if (all.Labels is null || Math.Abs(share - testSplit) <= 0.25 * testSplit || Math.Abs(testRows - all.Rows * testSplit) < 2) return null;
        static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
        return $"note: {path}: the stratified test split holds {testRows} of {all.Rows} rows ({Percent(share)}), not the " +
            $"{Percent(testSplit)} of --test-split: each of the {all.ClassCount} classes keeps at least one row in training and, " +
            "with two or more, puts at least one in the test split; give a --test file to choose the test rows";
    }

    /// <summary>Data for `eval`/`predict`: an IDX folder's t10k split, or a CSV read with the model's columns and labels.
    /// Without <paramref name="target"/>, a CSV's target is its one column that is not one of the model's features
    /// (so a model trained with `--target` on a middle column needs no flag here); with no such column the data is
    /// unlabelled when <paramref name="targetOptional"/>, else the loader's default (the last column) applies.</summary>
    public static DataSet LoadForModel(string path, Backprop.Training.TrainedModel model, string? target, bool targetOptional)
    {
        DataSet data;
        if (Directory.Exists(path))
        {
            if (model.Task != TaskKind.Classification)
                throw new UsageException($"{path}: an IDX folder holds classification data, but the model is a regression model");
            if (target is not null) throw new UsageException(TargetWithIdx);
            data = IdxLoader.LoadTestSplit(path, model.ClassNames, labelsOptional: targetOptional);
        }
        else
        {
            if (!File.Exists(path)) throw new UsageException($"{path}: no such file or folder");
            data = CsvLoader.Load(path, new CsvLoadOptions
            {
                Target = target,
                ModelTarget = model.TargetName,
                Task = model.Task,
                ClassNames = model.ClassNames,
                FeatureNames = model.FeatureNames,
                TargetOptional = targetOptional,
            });
        }
        // NOTE: an IDX folder is not matched by column names, so its image size must be checked here: by shape, since
        // 14×56 images have as many pixels as 28×28 ones, and a CNN evaluated them without a word.
        if (data.FeatureCount != model.FeatureNames.Length)
            throw new UsageException($"{path}: the data has {data.FeatureCount} features per sample, the model takes {model.FeatureNames.Length}");
        if (data.InputShape.Length == 3 && model.InputShape.Length == 3 && !data.InputShape.SequenceEqual(model.InputShape))
            throw new UsageException($"{path}: the images are [{string.Join(", ", data.InputShape)}], the model takes [{string.Join(", ", model.InputShape)}]");
        return data;
    }
}
