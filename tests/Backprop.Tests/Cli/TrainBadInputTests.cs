using Backprop.Tests.Data;
using static Backprop.Tests.Cli.CliHarness;

namespace Backprop.Tests.Cli;

/// <summary>Bad data and bad flags: exit 2, one `error: ` line naming the place, and an existing --out left alone.</summary>
public sealed class TrainBadInputTests : IDisposable
{
    private static readonly byte[] GoodModel = "an existing model the failed run must not touch"u8.ToArray();
    private readonly TempFolder folder = new();
    private readonly string model;

    public TrainBadInputTests()
    {
        model = folder.WriteBytes("existing.bp", GoodModel);
    }

    public void Dispose() => folder.Dispose();

    private CliResult TrainOn(string data, params string[] extra) =>
        Run(["train", "--data", data, "--epochs", "1", "--layers", "4", "--out", model, "--format", "json", .. extra]);

    private void AssertRejected(CliResult result, params string[] messageParts)
    {
        AssertFails(result, 2, messageParts);
        Assert.Equal(GoodModel, File.ReadAllBytes(model));
        Assert.Equal(["existing.bp"], Listing(folder.Path).Where(name => !name.EndsWith(".csv", StringComparison.Ordinal)).ToArray());
    }

    private string Csv(string text) => folder.Write("data.csv", text);

    [Fact]
    public void A_ragged_row_names_its_line() =>
        AssertRejected(TrainOn(Csv("a,b,y\n1,2,0\n3,4,1\n5,6\n7,8,1\n")), "data.csv:4", "2 fields");

    [Fact]
    public void A_non_numeric_feature_names_line_and_column() =>
        AssertRejected(TrainOn(Csv("a,b,y\n1,2,0\n3,abc,1\n5,6,0\n")), "data.csv:3", "'b'", "abc");

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-inf")]
    public void A_non_finite_feature_is_rejected(string value) =>
        AssertRejected(TrainOn(Csv($"a,b,y\n1,2,0\n3,4,1\n5,{value},0\n7,8,1\n")), "data.csv:4", "'b'");

    [Fact]
    public void An_empty_file_is_rejected() => AssertRejected(TrainOn(Csv("")), "data.csv", "empty");

    [Fact]
    public void A_latin1_file_is_rejected_rather_than_read_with_merged_labels() =>
        AssertRejected(TrainOn(folder.WriteBytes("data.csv", System.Text.Encoding.Latin1.GetBytes("x,label\n1,caf\u00e9\n2,caf\u00e8\n3,caf\u00e9\n4,caf\u00e8\n5,tea\n6,tea\n"))),
            "error: ", "data.csv:2: the file is not UTF-8 text (it holds the byte 0xE9, which UTF-8 does not allow here); save it as UTF-8");

    [Fact]
    public void Text_after_a_closing_quote_is_rejected_naming_the_line_and_field() =>
        AssertRejected(TrainOn(Csv("x,label\n\"1\" ,a\n2,c\n3,a\n4,c\n")),
            "data.csv:2: column 'x': text after the closing quote of a quoted field ('\"1\" ')");

    [Fact]
    public void A_header_only_file_is_rejected() => AssertRejected(TrainOn(Csv("a,b,y\n")), "data.csv", "no data rows");

    [Fact]
    public void A_single_row_file_is_rejected() => AssertRejected(TrainOn(Csv("a,b,y\n1,2,0.5\n")), "data.csv");

    [Fact]
    public void A_single_class_target_is_rejected() =>
        AssertRejected(TrainOn(Csv("a,b,y\n1,2,cat\n3,4,cat\n5,6,cat\n")), "data.csv", "one class");

    [Fact]
    public void A_missing_target_column_is_rejected() =>
        AssertRejected(TrainOn(Csv("a,b,y\n1,2,0\n3,4,1\n"), "--target", "label"), "data.csv", "label");

    [Fact]
    public void Data_that_does_not_exist_is_rejected() =>
        AssertRejected(TrainOn(Path.Combine(folder.Path, "missing.csv")), "missing.csv");

    [Fact]
    public void A_test_file_that_does_not_exist_is_rejected() =>
        AssertRejected(TrainOn(Csv("a,y\n1,0\n2,1\n3,0\n4,1\n"), "--test", Path.Combine(folder.Path, "gone.csv")), "gone.csv");

    [Fact]
    public void A_test_path_that_is_a_folder_is_named_as_a_folder_not_a_missing_file() =>
        AssertRejected(TrainOn(Csv("a,y\n1,0\n2,1\n3,0\n4,1\n"), "--test", folder.Path), $"error: --test: {folder.Path} is a folder; --test takes a CSV file");

    private string IdxFolder(Action<TempFolder> corrupt)
    {
        var idx = new TempFolder();
        IdxWriter.WriteFolder(idx, gzip: false);
        corrupt(idx);
        return idx.Path;
    }

    private void AssertIdxRejected(Action<TempFolder> corrupt, params string[] messageParts)
    {
        string path = IdxFolder(corrupt);
        try { AssertRejected(TrainOn(path), messageParts); }
        finally { Directory.Delete(path, recursive: true); }
    }

    [Fact]
    public void An_idx_file_with_the_wrong_magic_is_rejected() =>
        AssertIdxRejected(idx => IdxWriter.Put(idx, "train-images-idx3-ubyte", IdxWriter.Images(5, 2, 3, IdxWriter.Pixel, magic: 0x801), gzip: false),
            "train-images-idx3-ubyte", "magic");

    [Fact]
    public void A_truncated_idx_file_is_rejected() =>
        AssertIdxRejected(idx =>
        {
            var bytes = IdxWriter.Images(5, 2, 3, IdxWriter.Pixel);
            IdxWriter.Put(idx, "train-images-idx3-ubyte", bytes[..(bytes.Length - 4)], gzip: false);
        }, "train-images-idx3-ubyte", "truncated");

    [Fact]
    public void An_idx_label_count_that_disagrees_with_the_images_is_rejected() =>
        AssertIdxRejected(idx => IdxWriter.Put(idx, "train-labels-idx1-ubyte", IdxWriter.Labels([3, 1, 4, 1]), gzip: false),
            "train-labels-idx1-ubyte", "4 labels", "5 images");

    [Fact]
    public void An_idx_folder_missing_a_file_is_rejected() =>
        AssertIdxRejected(idx => File.Delete(Path.Combine(idx.Path, "t10k-labels-idx1-ubyte")), "t10k-labels");

    [Fact]
    public void An_idx_folder_with_a_single_class_is_rejected() =>
        AssertIdxRejected(idx => IdxWriter.WriteFolder(idx, gzip: false, trainLabels: [7, 7, 7, 7, 7], testLabels: [7, 7, 7]), "one class");

    // NOTE: each of these was once ignored without a word: the run trained on something else than asked.
    [Theory]
    [InlineData("--target", "label", "error: --target is for CSV data; an IDX folder's labels are its targets")]
    [InlineData("--task", "regression", "error: --task regression: an IDX folder holds class labels")]
    [InlineData("--test-split", "0.5", "error: --test-split is for CSV data; an IDX folder brings its own t10k test files")]
    public void A_flag_that_cannot_apply_to_an_idx_folder_is_refused(string flag, string value, string expected)
    {
        string path = IdxFolder(_ => { });
        try { AssertRejected(Run(["train", "--data", path, "--out", model, flag, value]), expected); }
        finally { Directory.Delete(path, recursive: true); }
    }

    [Theory]
    [InlineData(new[] { "--target", "y" }, "error: --target needs --data: the built-in digits' target is their label")]
    [InlineData(new[] { "--task", "regression" }, "error: --task regression: the built-in digits are a classification set")]
    public void A_flag_that_cannot_apply_to_the_built_in_digits_is_refused(string[] flag, string expected) =>
        AssertRejected(Run(["train", "--out", model, .. flag]), expected);

    [Fact]
    public void A_test_file_and_a_test_split_together_are_refused()
    {
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n");
        AssertRejected(TrainOn(data, "--test", data, "--test-split", "0.3"), "error: --test-split and --test both choose the test set; give one of them");
    }

    [Fact]
    public void A_good_idx_folder_trains()
    {
        string path = IdxFolder(_ => { });
        try
        {
            var result = Run("train", "--data", path, "--epochs", "2", "--layers", "4", "--format", "json");
            Assert.True(result.Code == 0, result.Error);
            Assert.Equal(3, (int)result.Json["test_samples"]!);
        }
        finally { Directory.Delete(path, recursive: true); }
    }

    public static TheoryData<string[], string> NonsenseFlags => new()
    {
        { ["--epochs", "0"], "--epochs" },
        { ["--epochs", "abc"], "abc" },
        { ["--epochs", "-3"], "--epochs" },
        { ["--lr", "-1"], "--lr" },
        { ["--lr", "0"], "--lr" },
        { ["--lr", "NaN"], "--lr" },
        { ["--batch-size", "0"], "--batch-size" },
        { ["--test-split", "1.5"], "--test-split" },
        { ["--test-split", "0"], "--test-split" },
        { ["--layers", "3,,4"], "--layers" },
        { ["--layers", "3,x"], "--layers" },
        { ["--layers", "1000000,1000000"], "parameters" },
        { ["--activation", "swish"], "swish" },
        { ["--optimizer", "foo"], "foo" },
        { ["--task", "clustering"], "clustering" },
        { ["--format", "yaml"], "yaml" },
        { ["--seed", "1.5"], "1.5" },
        { ["--frobnicate"], "--frobnicate" },
        { ["--weight-decay", "-0.1"], "--weight-decay" },
        { ["--clip-norm", "0"], "--clip-norm" },
        { ["--patience", "0"], "--patience" },
    };

    [Theory]
    [MemberData(nameof(NonsenseFlags))]
    public void A_nonsense_flag_value_is_bad_usage(string[] flag, string mentioned) =>
        AssertRejected(Run(["train", "--out", model, .. flag]), mentioned);

    // NOTE: /sys refuses new folders even to root; why (permission, a read-only mount) depends on the machine.
    [Fact]
    public void A_checkpoint_folder_that_cannot_be_made_is_rejected_before_training()
    {
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n");
        var result = TrainOn(data, "--checkpoint", "/sys/backprop-checkpoints");
        AssertRejected(result, "error: --checkpoint: /sys/backprop-checkpoints: cannot create the folder (");
        Assert.DoesNotContain("epoch", result.Out);
    }

    [Fact]
    public void Checkpoint_naming_a_file_is_rejected_before_training()
    {
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n");
        var result = TrainOn(data, "--checkpoint", data);
        AssertRejected(result, "--checkpoint");
    }

    [Fact]
    public void A_string_target_forced_to_regression_is_rejected() =>
        AssertRejected(TrainOn(Csv("a,y\n1,x\n2,y\n3,x\n"), "--task", "regression"), "data.csv:2", "'y'");

    [Theory]
    [InlineData("4,1000001", "--layers: 1000001 is wider than the 1,000,000 units a layer may have")]
    [InlineData("2147483648", "--layers: 2147483648 is wider than the 1,000,000 units a layer may have")]
    [InlineData("4,0", "--layers: '0' is not a positive layer width")]
    [InlineData("4,+5", "--layers: '+5' is not a positive layer width")]
    public void A_layer_width_too_wide_is_called_too_wide_not_a_non_positive_width(string layers, string message)
    {
        var result = Run("train", "--data", Csv("a,y\n1,0\n2,1\n3,0\n4,1\n"), "--layers", layers, "--out", model);

        AssertRejected(result, message);
    }

    [Fact]
    public void A_batch_size_beyond_the_data_trains_as_one_batch()
    {
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n5,1\n");
        var huge = Run("train", "--data", data, "--epochs", "2", "--layers", "4", "--batch-size", "1000000000", "--format", "json");
        var exact = Run("train", "--data", data, "--epochs", "2", "--layers", "4", "--batch-size", "4", "--format", "json");
        Assert.True(huge.Code == 0, huge.Error);
        Assert.Equal((double)exact.Json["test_loss"]!, (double)huge.Json["test_loss"]!);
    }

    // Outside `folder`, whose listing AssertRejected checks.
    private static string BatchNormAfterDense(TestFiles.TemporaryDirectory archFolder)
    {
        string arch = archFolder.File("bn.json");
        File.WriteAllText(arch, """{"layers": [{"type": "dense", "units": 4}, {"type": "batchnorm"}, {"type": "relu"}]}""");
        return arch;
    }

    [Fact]
    public void A_batch_of_one_is_refused_for_batch_norm_after_a_dense_layer()
    {
        using var archFolder = new TestFiles.TemporaryDirectory();
        string arch = BatchNormAfterDense(archFolder);
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n5,1\n");

        string[] train = ["train", "--data", data, "--epochs", "1", "--arch", arch, "--out", model, "--format", "json"];
        AssertRejected(Run([.. train, "--batch-size", "1"]), "--batch-size 1: a batchnorm layer sees one value per channel");
        Assert.Equal(0, Run([.. train, "--batch-size", "3"]).Code); // 4 training rows: a lone last sample sits out
    }

    [Fact]
    public void A_single_training_row_for_batch_norm_names_the_data_not_a_batch_size_never_given()
    {
        using var archFolder = new TestFiles.TemporaryDirectory();
        string arch = BatchNormAfterDense(archFolder);
        string data = Csv("a,y\n1,3.5\n");
        string test = folder.Write("test.csv", "a,y\n1,3.5\n2,4.5\n");

        var result = Run("train", "--data", data, "--test", test, "--epochs", "1", "--arch", arch, "--out", model, "--format", "json");

        AssertRejected(result, "data.csv: the training data has a single row", "at least two samples");
        Assert.DoesNotContain("--batch-size", result.Error);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_after_the_error_line()
    {
        var result = Run("train", "--data", Path.Combine(folder.Path, "missing.csv"), "--verbose");
        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("   at ", result.Error);
    }

    [Fact]
    public void Out_naming_a_folder_is_rejected()
    {
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n");
        var result = Run("train", "--data", data, "--epochs", "1", "--out", folder.Path);
        AssertFails(result, 2, "--out");
    }

    [Fact]
    public void Out_where_the_file_system_refuses_files_fails_before_training_and_writes_no_plot()
    {
        // /proc takes no new files. The plot was written after training, and then the model failed: half the outputs.
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n");
        string plot = Path.Combine(folder.Path, "curves.svg");

        var result = Run("train", "--data", data, "--epochs", "1", "--plot", plot, "--out", "/proc/backprop-model.bp");

        AssertFails(result, 2, "error: /proc/backprop-model.bp: cannot write the file");
        Assert.DoesNotContain("epoch", result.Out);
        Assert.False(File.Exists(plot));
    }

    [Fact]
    public void Out_in_a_folder_that_does_not_exist_is_rejected_before_training()
    {
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n");
        var result = Run("train", "--data", data, "--epochs", "1", "--out", Path.Combine(folder.Path, "no", "such", "m.bp"));
        AssertFails(result, 2, "--out");
    }

    // NOTE: /sys refuses new files even to root, as the CI runs.
    [Fact]
    public void Out_where_the_file_system_refuses_a_file_names_the_path_not_a_temporary_file()
    {
        string data = Csv("a,y\n1,0\n2,1\n3,0\n4,1\n");
        var result = Run("train", "--data", data, "--epochs", "1", "--out", "/sys/backprop-test.bp");
        AssertFails(result, 2, "error: /sys/backprop-test.bp: cannot write the file (");
        Assert.DoesNotContain(".tmp", result.Error);
    }
}
