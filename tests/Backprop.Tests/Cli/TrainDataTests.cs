using Backprop.IO;
using Backprop.Tests.Data;
using static Backprop.Tests.Cli.CliHarness;

namespace Backprop.Tests.Cli;

/// <summary>End to end on hand-made CSVs: regression, string labels, a separate test file, and atomic --out.</summary>
public sealed class TrainDataTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string In(string name) => Path.Combine(folder.Path, name);

    [Fact]
    public void A_regression_csv_trains_and_saves_a_regression_model()
    {
        string data = folder.Write("reg.csv", RegressionCsv(rows: 200, scale: 50));
        var result = Run("train", "--data", data, "--layers", "16", "--epochs", "30", "--lr", "0.01", "--out", In("m.bp"), "--format", "json");
        Assert.True(result.Code == 0, result.Error);
        Assert.InRange((double)result.Json["test_r2"]!, 0.8, 1.0);
        var saved = TrainedModelFile.Load(In("m.bp"));
        Assert.Equal(Backprop.Data.TaskKind.Regression, saved.Task);
        Assert.Equal(["a", "b", "c"], saved.FeatureNames);
        Assert.Equal(["m.bp", "reg.csv"], Listing(folder.Path));
    }

    [Fact]
    public void A_constant_regression_target_prints_R2_as_undefined_in_text_as_eval_does_not_as_NaN()
    {
        string data = folder.Write("flat.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},5.5\n")));

        var result = Run("train", "--data", data, "--layers", "4", "--epochs", "1");

        Assert.True(result.Code == 0, result.Error);
        Assert.Contains("test_r2 undefined (constant target)", result.Out);
        Assert.Contains("R² undefined (constant target), MAE", result.Out);
        Assert.DoesNotContain("NaN", result.Out);
    }

    [Fact]
    public void A_stratified_split_far_from_the_asked_share_says_so_on_stderr()
    {
        // 50 classes of two rows: one of each class goes to the test split, 50 % of the rows where 20 % was asked.
        string manyClasses = folder.Write("many.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},c{i % 50}\n")));
        string twoClasses = folder.Write("two.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i},{i % 2}\n")));

        var skewed = Run("train", "--data", manyClasses, "--layers", "4", "--epochs", "1", "--format", "json");
        var even = Run("train", "--data", twoClasses, "--layers", "4", "--epochs", "1", "--format", "json");

        Assert.True(skewed.Code == 0, skewed.Error);
        Assert.Equal(50, (int)skewed.Json["test_samples"]!);
        Assert.Contains($"note: {manyClasses}: the stratified test split holds 50 of 100 rows (50 %), not the 20 % of --test-split", skewed.Error);
        Assert.True(even.Code == 0, even.Error);
        Assert.DoesNotContain("note:", even.Error);
    }

    [Fact]
    public void Features_and_targets_at_the_ends_of_float32s_range_train()
    {
        // Standardising 3e38 against a mean of −1.5e38 overflowed float32, and the run "diverged" (exit 3) at any --lr.
        string rows = string.Concat(Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? $"3e38,{i % 2}\n" : $"-3e38,{i % 2}\n"));
        string classes = folder.Write("far.csv", "a,y\n" + rows);
        string values = folder.Write("far-values.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{(i % 3 == 0 ? "3e38" : "-3e38")}\n")));

        var classification = Run("train", "--data", classes, "--layers", "4", "--epochs", "2", "--format", "json");
        var regression = Run("train", "--data", values, "--layers", "4", "--epochs", "2", "--format", "json");

        Assert.True(classification.Code == 0, classification.Error);
        Assert.True(regression.Code == 0, regression.Error);
        Assert.True(double.IsFinite((double)regression.Json["epochs"]![1]!["train_loss"]!));
    }

    [Fact]
    public void A_string_label_csv_trains_in_text_mode_and_keeps_its_class_names()
    {
        string data = folder.Write("kinds.csv", StringLabelCsv());
        var result = Run("train", "--data", data, "--layers", "8", "--epochs", "20", "--lr", "0.01", "--out", In("m.bp"));
        Assert.True(result.Code == 0, result.Error);
        Assert.Contains("test accuracy", result.Out);
        Assert.Contains("model saved to", result.Out);
        Assert.Equal("", result.Error);
        var saved = TrainedModelFile.Load(In("m.bp"));
        Assert.Equal(["east", "north", "south", "west"], saved.ClassNames!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_spaced_header_and_an_excel_trailing_comma_train_as_they_read()
    {
        string spaced = folder.Write("sp.csv", "a, b, y\n1, 2, p\n2, 1, q\n3, 3, p\n1, 1, q\n");
        string trailing = folder.Write("tc.csv", "a,b,y,\n1,2,p,\n2,1,q,\n3,3,p,\n1,1,q,\n");

        var byName = Run("train", "--data", spaced, "--target", "y", "--layers", "4", "--epochs", "1", "--out", In("sp.bp"), "--format", "json");
        var byPlace = Run("train", "--data", trailing, "--layers", "4", "--epochs", "1", "--out", In("tc.bp"), "--format", "json");

        Assert.True(byName.Code == 0, byName.Error);
        Assert.True(byPlace.Code == 0, byPlace.Error);
        Assert.Equal(["a", "b"], TrainedModelFile.Load(In("sp.bp")).FeatureNames);
        Assert.Equal(["a", "b"], TrainedModelFile.Load(In("tc.bp")).FeatureNames);
        Assert.Equal(0, Run("eval", "--model", In("tc.bp"), "--data", trailing).Code);
    }

    [Theory]
    // a file without a header row: its first sample became the names, without a word
    [InlineData("1.5,2.25,0.5", "--task", "regression", true)]
    // names that are numbers but a real header: pandas' 0, 1, 2; or a target chosen by name, which a header must hold
    [InlineData("0,1,2", "--task", "regression", false)]
    [InlineData("1.5,2.25,0.5", "--target", "0.5", false)]
    [InlineData("a,b,y", "--task", "regression", false)]
    public void A_header_row_of_numbers_only_gets_a_note_that_it_may_be_the_first_sample(string header, string flag, string value, bool noted)
    {
        string data = folder.Write("d.csv", header + "\n0.1,0.2,0.3\n1,2,3\n4,5,6\n7,8,9\n2,3,4\n");

        var result = Run("train", "--data", data, "--epochs", "1", flag, value);

        Assert.True(result.Code == 0, result.Error);
        if (noted)
            Assert.Contains($"note: {data}: the header row holds only numbers (1.5, 2.25, 0.5); if the file has no header row, its first sample was read as the column names", result.Error);
        else
            Assert.DoesNotContain("note:", result.Error);
    }

    [Fact]
    public void A_separate_test_csv_is_used_for_evaluation()
    {
        string train = folder.Write("train.csv", StringLabelCsv(rows: 100, seed: 1));
        string test = folder.Write("test.csv", StringLabelCsv(rows: 24, seed: 9));
        var result = Run("train", "--data", train, "--test", test, "--layers", "8", "--epochs", "3", "--format", "json");
        Assert.True(result.Code == 0, result.Error);
        Assert.Equal(24, (int)result.Json["test_samples"]!);
    }

    [Fact]
    public void A_test_csv_with_a_label_the_training_set_lacks_is_bad_input()
    {
        string train = folder.Write("train.csv", StringLabelCsv(rows: 40, classes: ["north", "east"]));
        string test = folder.Write("test.csv", StringLabelCsv(rows: 12, classes: ["north", "east", "up"]));
        var result = Run("train", "--data", train, "--test", test, "--epochs", "1", "--format", "json");
        AssertFails(result, 2, "test.csv", "up");
    }

    [Fact]
    public void A_test_csv_with_other_columns_is_bad_input()
    {
        string train = folder.Write("train.csv", StringLabelCsv(rows: 40));
        string test = folder.Write("test.csv", "x,z,kind\n1,2,north\n");
        var result = Run("train", "--data", train, "--test", test, "--epochs", "1", "--format", "json");
        AssertFails(result, 2, "test.csv");
    }

    [Fact]
    public void Data_too_small_to_hold_out_a_test_split_is_bad_input()
    {
        // one row per class: a stratified split leaves nothing to test on
        string data = folder.Write("tiny.csv", "a,y\n1,cat\n2,dog\n3,emu\n");
        var result = Run("train", "--data", data, "--epochs", "1", "--format", "json");
        AssertFails(result, 2, "tiny.csv", "--test");
    }

    [Fact]
    public void A_constant_regression_target_trains_and_checkpoints_without_r2()
    {
        // R² is undefined when the test targets do not vary: the report and the checkpoints must still be written.
        string data = folder.Write("flat.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},2.5\n")));
        var result = Run("train", "--data", data, "--task", "regression", "--epochs", "2", "--layers", "4",
            "--checkpoint", In("ck"), "--format", "json");
        Assert.True(result.Code == 0, result.Error);
        Assert.Null(result.Json["test_r2"]);
        Assert.Equal(2, Listing(In("ck")).Length);
        var resumed = Run("train", "--data", data, "--task", "regression", "--epochs", "2", "--layers", "4", "--resume", In("ck"), "--format", "json");
        Assert.True(resumed.Code == 0, resumed.Error);
    }

    [Fact]
    public void Out_replaces_an_existing_model_and_leaves_no_temporary_files()
    {
        string data = folder.Write("kinds.csv", StringLabelCsv(rows: 40));
        File.WriteAllText(In("m.bp"), "old");
        var result = Run("train", "--data", data, "--epochs", "1", "--layers", "4", "--out", In("m.bp"), "--checkpoint", In("ck"), "--format", "json");
        Assert.True(result.Code == 0, result.Error);
        Assert.Equal(["kinds.csv", "m.bp"], Listing(folder.Path));
        Assert.Equal(["checkpoint-epoch-0001.safetensors"], Listing(In("ck")));
        Assert.NotNull(TrainedModelFile.Load(In("m.bp")));
    }

    [Fact]
    public void A_resume_whose_patience_would_have_stopped_before_the_checkpoint_says_which_epoch_the_model_is()
    {
        string data = folder.Write("noisy.csv", NoisyCsv());
        string[] args = ["train", "--data", data, "--layers", "8", "--epochs", "12", "--lr", "0.1", "--batch-size", "8", "--seed", "5", "--format", "json"];
        var full = Run([.. args, "--checkpoint", In("ck")]);
        Assert.True(full.Code == 0, full.Error);
        // the first epoch whose test loss is no better than the best before it: where --patience 1 stops
        var losses = full.Json["epochs"]!.AsArray().Select(epoch => (double)epoch!["test_loss"]!).ToArray();
        int stop = Enumerable.Range(1, losses.Length - 1).First(i => losses[i] >= losses[..i].Min()) + 1;
        Assert.InRange(stop, 2, 11);

        var resumed = Run([.. args, "--resume", In("ck"), "--patience", "1", "--out", In("m.bp")]);

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains($"note: --resume: --patience 1 would have stopped the run after epoch {stop}, but the checkpoint is from epoch 12; the model is epoch 12's", resumed.Error);
    }

    // A noisy label (one row in four flipped): at a high rate the test loss soon stops improving.
    private static string NoisyCsv()
    {
        var random = new Random(4);
        return "a,b,y\n" + string.Concat(Enumerable.Range(0, 80).Select(i =>
        {
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            bool positive = (a + b > 0) ^ (i % 4 == 0);
            return FormattableString.Invariant($"{a},{b},{(positive ? "yes" : "no")}\n");
        }));
    }

    [Fact]
    public void Patience_stops_early_and_a_resumed_run_stops_at_the_same_epoch()
    {
        string data = folder.Write("noisy.csv", NoisyCsv());
        string[] args = ["train", "--data", data, "--layers", "8", "--epochs", "40", "--lr", "0.1", "--batch-size", "8", "--patience", "2", "--seed", "5", "--format", "json"];
        var full = Run([.. args, "--checkpoint", In("ck"), "--out", In("a.bp")]);
        Assert.True(full.Code == 0, full.Error);
        int stoppedAt = full.Json["epochs"]!.AsArray().Count;
        Assert.InRange(stoppedAt, 3, 39);
        // interrupted one epoch before early stopping struck: the resumed run must remember the epoch without improvement
        Directory.CreateDirectory(In("ck2"));
        for (int epoch = 1; epoch < stoppedAt; epoch++)
            File.Copy(Path.Combine(In("ck"), $"checkpoint-epoch-{epoch:D4}.safetensors"), Path.Combine(In("ck2"), $"checkpoint-epoch-{epoch:D4}.safetensors"));

        var resumed = Run([.. args, "--resume", In("ck2"), "--out", In("b.bp")]);

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal(stoppedAt, resumed.Json["epochs"]!.AsArray().Count);
        Assert.Equal(File.ReadAllBytes(In("a.bp")), File.ReadAllBytes(In("b.bp")));

        // resuming the finished run trains nothing more
        var again = Run([.. args, "--resume", In("ck"), "--out", In("c.bp")]);
        Assert.True(again.Code == 0, again.Error);
        Assert.Equal(stoppedAt, again.Json["epochs"]!.AsArray().Count);
        Assert.Equal(File.ReadAllBytes(In("a.bp")), File.ReadAllBytes(In("c.bp")));
    }

    // NOTE: an MLP trained on images has their shape as input_shape but no flatten layer; loading such a model once
    // failed its own shape check, so eval, predict and export all refused a model train had just written.
    [Fact]
    public void Idx_images_of_another_shape_with_as_many_pixels_are_refused()
    {
        // 3×2 test images have the 6 pixels of the 2×3 ones the model was trained on; eval ran on them without a word.
        IdxWriter.WriteFolder(folder, gzip: false);
        Assert.Equal(0, Run("train", "--data", folder.Path, "--layers", "4", "--epochs", "1", "--out", In("m.bp"), "--format", "json").Code);
        IdxWriter.Put(folder, "t10k-images-idx3-ubyte", IdxWriter.Images(3, 3, 2, IdxWriter.Pixel), gzip: false);

        AssertFails(Run("eval", "--model", In("m.bp"), "--data", folder.Path), 2, "the images are [1, 3, 2], the model takes [1, 2, 3]");
        AssertFails(Run("predict", "--model", In("m.bp"), "--data", folder.Path), 2, "the images are [1, 3, 2]");
    }

    [Fact]
    public void An_mlp_trained_on_an_idx_folder_is_evaluated_predicted_and_exported_from_its_file()
    {
        IdxWriter.WriteFolder(folder, gzip: false);
        var trained = Run("train", "--data", folder.Path, "--layers", "4", "--epochs", "3", "--out", In("m.bp"), "--format", "json");
        Assert.True(trained.Code == 0, trained.Error);

        var evaluated = Run("eval", "--model", In("m.bp"), "--data", folder.Path, "--format", "json");
        Assert.True(evaluated.Code == 0, evaluated.Error);
        Assert.Equal((double)trained.Json["test_accuracy"]!, (double)evaluated.Json["accuracy"]!, 1e-12);
        Assert.Equal(3, (int)evaluated.Json["samples"]!);
        var named = Run("eval", "--model", In("m.bp"), "--data", folder.Path, "--target", "label");
        AssertFails(named, 2, "error: --target is for CSV data; an IDX folder's labels are its targets");

        var predicted = Run("predict", "--model", In("m.bp"), "--data", folder.Path);
        Assert.True(predicted.Code == 0, predicted.Error);
        string[] rows = predicted.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, rows.Length); // header and the three t10k images
        Assert.StartsWith("prediction,p_", rows[0]);

        var exported = Run("export", "--model", In("m.bp"), "--out", In("m.onnx"));
        Assert.True(exported.Code == 0, exported.Error);
        var test = Backprop.Data.IdxLoader.LoadTestSplit(folder.Path);
        float[] probabilities = Backprop.Tests.IO.OnnxExportTests.RunOnnx(File.ReadAllBytes(In("m.onnx")), test.Features,
            [test.Rows, .. test.InputShape], Backprop.IO.Onnx.OnnxExport.ProbabilitiesName);
        float[] fromCsv = rows.Skip(1).SelectMany(row => row.Split(',').Skip(1).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        Backprop.Tests.IO.OnnxExportTests.AssertClose(fromCsv, probabilities, absolute: 2e-6, relative: 1e-5);
    }

    [Fact]
    public void Predict_on_an_idx_folder_of_t10k_images_without_labels_gives_the_same_predictions_while_eval_needs_them()
    {
        // Images to predict come without answers; predict refused them: 'missing IDX file: t10k-labels-idx1-ubyte[.gz]'.
        IdxWriter.WriteFolder(folder, gzip: false);
        Assert.Equal(0, Run("train", "--data", folder.Path, "--layers", "4", "--epochs", "1", "--out", In("m.bp"), "--format", "json").Code);
        var labelled = Run("predict", "--model", In("m.bp"), "--data", folder.Path);
        File.Delete(Path.Combine(folder.Path, "t10k-labels-idx1-ubyte"));

        var unlabelled = Run("predict", "--model", In("m.bp"), "--data", folder.Path);

        Assert.True(unlabelled.Code == 0, unlabelled.Error);
        Assert.Equal(labelled.Out, unlabelled.Out);
        AssertFails(Run("eval", "--model", In("m.bp"), "--data", folder.Path), 2, "missing IDX file: t10k-labels-idx1-ubyte[.gz]");
    }

    private string XorCsv() => folder.Write("train.csv", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n1,1,0\n");

    private void TrainXorModel(string model)
    {
        var trained = Run("train", "--data", XorCsv(), "--layers", "4", "--epochs", "2", "--out", model, "--format", "json");
        Assert.True(trained.Code == 0, trained.Error);
    }

    [Fact]
    public void A_test_file_may_order_its_columns_differently()
    {
        string data = XorCsv();
        string test = folder.Write("test.csv", "y,b,a\n0,0,0\n1,1,0\n1,0,1\n");
        string reordered = folder.Write("same.csv", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n");

        var result = Run("train", "--data", data, "--test", test, "--layers", "4", "--epochs", "5", "--format", "json");
        var same = Run("train", "--data", data, "--test", reordered, "--layers", "4", "--epochs", "5", "--format", "json");

        Assert.True(result.Code == 0, result.Error);
        Assert.Equal(3, (int)result.Json["test_samples"]!);
        Assert.Equal((double)same.Json["test_loss"]!, (double)result.Json["test_loss"]!);
    }

    // NOTE: the target column was once found by reading the header in a pass of its own, which emptied a pipe.
    [Fact]
    public async Task Predict_reads_its_data_from_a_pipe()
    {
        TrainXorModel(In("m.bp"));
        string pipe = In("pipe.csv");
        Assert.Equal(0, TestFiles.MakeFifo(pipe));
        var writer = Task.Run(() => File.WriteAllText(pipe, "b,y,a\n1,1,0\n0,1,1\n"));

        var result = Run("predict", "--model", In("m.bp"), "--data", pipe);

        await writer;
        Assert.True(result.Code == 0, result.Error);
        Assert.Equal(3, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Eval_reads_its_model_from_a_pipe()
    {
        TrainXorModel(In("m.bp"));
        string pipe = In("model-pipe");
        Assert.Equal(0, TestFiles.MakeFifo(pipe));
        var writer = Task.Run(() => File.WriteAllBytes(pipe, File.ReadAllBytes(In("m.bp"))));

        // `--model /dev/stdin` was "internal error: NotSupportedException: Stream does not support seeking".
        var result = Run("eval", "--model", pipe, "--data", In("train.csv"), "--format", "json");

        await writer;
        Assert.True(result.Code == 0, result.Error);
        Assert.Equal(6, (int)result.Json["samples"]!);
    }
}
