using Backprop.Data;

namespace Backprop.Cli.Training;

/// <summary>Resolves `--data PATH` (absent: built-in digits; a folder: IDX; a file: CSV) into data sets.</summary>
internal static class DataSources
{
    public sealed record TrainingData(DataSet Train, DataSet Test, string Description);

    public static TrainingData LoadForTraining(string? path, string? target, string? testPath, double testSplit, TaskKind? task, long seed)
    {
        if (path is null)
        {
            if (testPath is not null) throw new UsageException("--test needs --data");
            var digits = BuiltinData.LoadDigits();
            var (train, test) = Split.TrainTest(digits, testSplit, seed);
            return new(train, test, BuiltinData.DigitsSource);
        }
        if (Directory.Exists(path))
        {
            if (testPath is not null) throw new UsageException("--test is for CSV data; an IDX folder brings its own t10k test files");
            var (train, test) = IdxLoader.LoadFolder(path);
            // NOTE: CSV targets get this check in TargetEncoder; IDX labels are read as they are.
            if (train.ClassCount < 2)
                throw new DataFormatException(path, $"the labels hold only one class ('{train.ClassNames![0]}'); classification needs at least two");
            return new(train, test, path);
        }
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file or folder");
        var all = CsvLoader.Load(path, new CsvLoadOptions { Target = target, Task = task });
        if (testPath is null)
        {
            // NOTE: Split throws ArgumentOutOfRangeException on one row (exit 1); this is bad input, so say so here.
            if (all.Rows < 2) throw new DataFormatException(path, "the file has a single data row; training needs at least two (one held out for testing), or a --test file");
            var (train, test) = Split.TrainTest(all, testSplit, seed);
            // A stratified split keeps a class of one row in training; with every class that small nothing is left to test on.
            if (test.Rows == 0) throw new DataFormatException(path, $"{all.Rows} rows are too few to hold out a test split (no class has two rows); add rows or give a --test file");
            return new(train, test, path);
        }
        if (!File.Exists(testPath)) throw new UsageException($"{testPath}: no such file");
        var testSet = CsvLoader.Load(testPath, new CsvLoadOptions
        {
            Target = target,
            Task = all.Task,
            ClassNames = all.ClassNames,
            FeatureNames = all.FeatureNames,
        });
        return new(all, testSet, path);
    }

    /// <summary>Data for `eval`/`predict`: an IDX folder's t10k split, or a CSV read with the model's columns and labels.</summary>
    public static DataSet LoadForModel(string path, Backprop.Training.TrainedModel model, string? target, bool targetOptional)
    {
        if (Directory.Exists(path)) return IdxLoader.LoadTestSplit(path, model.ClassNames);
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file or folder");
        return CsvLoader.Load(path, new CsvLoadOptions
        {
            Target = target,
            Task = model.Task,
            ClassNames = model.ClassNames,
            FeatureNames = model.FeatureNames,
            TargetOptional = targetOptional,
        });
    }
}
