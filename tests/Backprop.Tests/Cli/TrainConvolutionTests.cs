using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Data;
using Backprop.IO;
using Backprop.IO.Onnx;
using Backprop.Tests.Data;
using Backprop.Tests.IO;
using Sylvan.Data.Csv;

namespace Backprop.Tests.Cli;

/// <summary>
/// `train --arch` with convolution, pooling, batch norm and dropout, end to end on the digits (8×8 images as
/// CSV rows): training, model files, eval, predict, ONNX export and exact resume.
/// </summary>
public sealed class TrainConvolutionTests : IDisposable
{
    private const string Cnn = """
        {"input_shape": [1, 8, 8],
         "layers": [{"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
                    {"type": "maxpool2d", "kernel": 2}, {"type": "conv2d", "out_channels": 32, "kernel": 2, "stride": 2},
                    {"type": "relu"}, {"type": "avgpool2d", "kernel": 1}, {"type": "flatten"},
                    {"type": "dense", "units": 64}, {"type": "relu"}, {"type": "dropout", "p": 0.2}]}
        """;

    private readonly TempFolder folder = new();
    private readonly string digits, arch;

    public TrainConvolutionTests()
    {
        using var stream = typeof(BuiltinData).Assembly.GetManifestResourceStream("Backprop.Data.Builtin.digits.csv")!;
        digits = folder.Write("digits.csv", new StreamReader(stream).ReadToEnd());
        arch = folder.Write("cnn.json", Cnn);
    }

    public void Dispose() => folder.Dispose();

    private string In(string name) => Path.Combine(folder.Path, name);

    private string[] Train(params string[] extra) =>
        ["train", "--data", digits, "--arch", arch, "--epochs", "4", "--seed", "2", "--format", "json", .. extra];

    [Fact]
    public void A_small_cnn_learns_the_digits_and_its_model_file_evaluates_to_the_same_accuracy()
    {
        string model = In("cnn.bp");
        var result = CliHarness.Run(Train("--out", model));

        Assert.True(result.Code == 0, result.Error);
        double accuracy = (double)result.Json["test_accuracy"]!;
        Assert.True(accuracy >= 0.9, $"test accuracy {accuracy}");
        var saved = ModelFile.Load(model);
        Assert.Equal(["conv2d", "batchnorm", "relu", "maxpool2d", "conv2d", "relu", "avgpool2d", "flatten", "dense", "relu", "dropout", "dense"],
            saved.Architecture.Select(layer => layer.Type));
        Assert.Equal([16, 1, 3, 3], saved.Parameters["layers.0.weight"].Shape);
        Assert.Equal([16], saved.Parameters["layers.1.running_var"].Shape);
        Assert.Equal([64, 128], saved.Parameters["layers.8.weight"].Shape); // 8×8 → 4×4 (pool) → 2×2 (stride 2) × 32 channels

        // The built-in set's split is the seed's: evaluating every row is not the test split, but the
        // train command's own test accuracy must come back from the same model on the same rows.
        var all = CliHarness.Run("eval", "--model", model, "--data", digits, "--format", "json");
        Assert.True(all.Code == 0, all.Error);
        Assert.True((double)all.Json["accuracy"]! >= 0.9);
    }

    [Fact]
    public void The_same_seed_twice_gives_the_same_numbers_dropout_included()
    {
        var first = CliHarness.Run(Train());
        var second = CliHarness.Run(Train());

        Assert.True(first.Code == 0, first.Error);
        Assert.Equal(first.Json["epochs"]!.AsArray().Select(Losses), second.Json["epochs"]!.AsArray().Select(Losses));
        Assert.Equal((double)first.Json["test_accuracy"]!, (double)second.Json["test_accuracy"]!);
    }

    [Fact]
    public void Resuming_after_epoch_2_ends_with_the_uninterrupted_weights_and_running_statistics()
    {
        string full = In("full.bp"), checkpoints = In("checkpoints"), resumedModel = In("resumed.bp");
        Assert.Equal(0, CliHarness.Run(Train("--checkpoint", checkpoints, "--out", full)).Code);
        string interrupted = Directory.CreateDirectory(In("interrupted")).FullName;
        foreach (int epoch in new[] { 1, 2 })
        {
            string name = $"checkpoint-epoch-{epoch:D4}.safetensors";
            File.Copy(Path.Combine(checkpoints, name), Path.Combine(interrupted, name));
        }

        var resumed = CliHarness.Run(Train("--resume", interrupted, "--out", resumedModel));

        Assert.True(resumed.Code == 0, resumed.Error);
        var expected = ModelFile.Load(full).Parameters;
        var actual = ModelFile.Load(resumedModel).Parameters;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.ToFloats().SequenceEqual(actual[name].ToFloats()), $"{name} differs after resuming");
    }

    [Fact]
    public void The_exported_cnn_run_by_onnx_runtime_gives_predicts_probabilities()
    {
        string model = In("cnn.bp"), onnx = In("cnn.onnx");
        Assert.Equal(0, CliHarness.Run(Train("--out", model)).Code);

        var export = CliHarness.Run("export", "--model", model, "--out", onnx);

        Assert.True(export.Code == 0, export.Error);
        Assert.Contains("input [N, 64] -> probabilities [N, 10]", export.Out); // the CSV's columns, as predict reads them
        var (features, rows) = Pixels(digits, take: 200);
        float[] actual = OnnxExportTests.RunOnnx(File.ReadAllBytes(onnx), features, [rows, 64], OnnxExport.ProbabilitiesName);
        float[] expected = PredictProbabilities(model, digits).Take(rows * 10).ToArray();
        OnnxExportTests.AssertClose(expected, actual, absolute: 1e-5, relative: 1e-4);
    }

    [Theory]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 4, "kernel": 3}, {"type": "maxpool2d", "kernel": 8}]}""", "layers[1].kernel: 8 is larger than its 6×6 input")]
    [InlineData("""{"input_shape": [2, 8, 8], "layers": [{"type": "conv2d", "out_channels": 4, "kernel": 3}]}""", "input_shape: [2, 8, 8] holds 128 values, the data has 64")]
    [InlineData("""{"layers": [{"type": "batchnorm"}, {"type": "maxpool2d", "kernel": 2}]}""", "layers[1]: needs image-shaped input")]
    public void Layers_that_do_not_fit_the_input_are_refused_before_training(string json, string expected)
    {
        var result = CliHarness.Run("train", "--data", digits, "--epochs", "1", "--arch", folder.Write("bad.json", json));

        CliHarness.AssertFails(result, 2, "bad.json", expected);
    }

    private static string? Losses(JsonNode? epoch) => epoch?["train_loss"]?.ToJsonString() + "/" + epoch?["test_loss"]?.ToJsonString();

    private static (float[] Features, int Rows) Pixels(string csvPath, int take)
    {
        using var csv = CsvDataReader.Create(csvPath);
        var values = new List<float>();
        int rows = 0;
        for (; rows < take && csv.Read(); rows++)
            for (int column = 0; column < 64; column++)
                values.Add(float.Parse(csv.GetString(csv.GetOrdinal($"pixel{column}")), CultureInfo.InvariantCulture));
        return (values.ToArray(), rows);
    }

    private static float[] PredictProbabilities(string model, string data)
    {
        var result = CliHarness.Run("predict", "--model", model, "--data", data);
        Assert.True(result.Code == 0, result.Error);
        using var csv = CsvDataReader.Create(new StringReader(result.Out));
        var values = new List<float>();
        while (csv.Read())
            for (int column = 1; column < csv.FieldCount; column++)
                values.Add(float.Parse(csv.GetString(column), CultureInfo.InvariantCulture));
        return values.ToArray();
    }
}
