using System.Globalization;
using System.Text.Json;
using Backprop.IO.Onnx;
using Backprop.Tests.IO;
using Sylvan.Data.Csv;

namespace Backprop.Tests.Cli;

public sealed class ExportCommandTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    [Fact]
    public void The_exported_classifier_run_by_onnx_runtime_gives_predicts_probabilities()
    {
        string onnxPath = Path.Combine(models.Folder, "classifier.onnx");

        var result = CliRunner.Succeed("export", "--model", models.ClassifierPath, "--out", onnxPath);

        Assert.Equal($"wrote {onnxPath}: ONNX opset 13, input [N, 2] -> probabilities [N, 3]\n", result.Out);
        byte[] onnx = File.ReadAllBytes(onnxPath);
        var (features, rows) = Features(onnx, models.TestCsv);
        float[] probabilities = OnnxExportTests.RunOnnx(onnx, features, [rows, features.Length / rows], OnnxExport.ProbabilitiesName);
        float[] expected = PredictColumns(models.ClassifierPath, models.TestCsv, firstColumn: 1);
        OnnxExportTests.AssertClose(expected, probabilities, absolute: 2e-6, relative: 1e-5);
        Assert.Equal(TrainedModels.Labels, ClassNames(onnx));
    }

    [Fact]
    public void The_exported_regressor_gives_predicts_values_in_the_targets_units()
    {
        string onnxPath = Path.Combine(models.Folder, "regressor.onnx");

        CliRunner.Succeed("export", "--model", models.RegressorPath, "--out", onnxPath);

        byte[] onnx = File.ReadAllBytes(onnxPath);
        var (features, rows) = Features(onnx, models.RegressionCsv);
        float[] values = OnnxExportTests.RunOnnx(onnx, features, [rows, features.Length / rows], OnnxExport.ValueName);
        OnnxExportTests.AssertClose(PredictColumns(models.RegressorPath, models.RegressionCsv, firstColumn: 0), values, 1e-5, 1e-5);
    }

    [Fact]
    public void A_damaged_model_exits_2_with_one_error_line_and_leaves_an_existing_output_byte_identical()
    {
        string folder = Directory.CreateDirectory(Path.Combine(models.Folder, "export-keep")).FullName;
        string output = Path.Combine(folder, "model.onnx");
        byte[] original = "keep me"u8.ToArray();
        File.WriteAllBytes(output, original);
        string damaged = Path.Combine(folder, "damaged.bp");
        File.WriteAllBytes(damaged, File.ReadAllBytes(models.ClassifierPath)[..100]);

        var result = CliRunner.Run("export", "--model", damaged, "--out", output);

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines));
        Assert.Contains("damaged.bp", result.ErrorLines[0]);
        Assert.Equal(original, File.ReadAllBytes(output));
        Assert.Equal([damaged, output], Directory.GetFiles(folder).Order());
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("missing model")]
    [InlineData("no --out")]
    [InlineData("missing folder")]
    public void Bad_usage_exits_2_with_one_error_line(string mistake)
    {
        string[] args = mistake switch
        {
            "folder" => ["export", "--model", models.ClassifierPath, "--out", models.Folder],
            "missing model" => ["export", "--model", Path.Combine(models.Folder, "nope.bp"), "--out", Path.Combine(models.Folder, "x.onnx")],
            "missing folder" => ["export", "--model", models.ClassifierPath, "--out", Path.Combine(models.Folder, "absent", "x.onnx")],
            _ => ["export", "--model", models.ClassifierPath],
        };

        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines));
        Assert.DoesNotContain(".tmp", result.ErrorLines[0]);
        Assert.False(File.Exists(Path.Combine(models.Folder, "x.onnx")));
    }

    // The CSV's feature columns in the order the ONNX file's metadata lists them: how a user would feed it.
    private static (float[] Features, int Rows) Features(byte[] onnx, string csvPath)
    {
        var proto = ModelProto.Parser.ParseFrom(onnx);
        string[] names = JsonSerializer.Deserialize<string[]>(proto.MetadataProps.Single(p => p.Key == "feature_names").Value)!;
        using var csv = CsvDataReader.Create(csvPath);
        int[] columns = names.Select(csv.GetOrdinal).ToArray();
        var features = new List<float>();
        int rows = 0;
        for (; csv.Read(); rows++)
            features.AddRange(columns.Select(column => float.Parse(csv.GetString(column), CultureInfo.InvariantCulture)));
        return (features.ToArray(), rows);
    }

    private static string[] ClassNames(byte[] onnx) => JsonSerializer.Deserialize<string[]>(
        ModelProto.Parser.ParseFrom(onnx).MetadataProps.Single(p => p.Key == "class_names").Value)!;

    // `predict`'s numeric columns from firstColumn on, row by row.
    private static float[] PredictColumns(string model, string data, int firstColumn)
    {
        string text = CliRunner.Succeed("predict", "--model", model, "--data", data).Out;
        using var csv = CsvDataReader.Create(new StringReader(text));
        var values = new List<float>();
        while (csv.Read())
            for (int column = firstColumn; column < csv.FieldCount; column++)
                values.Add(float.Parse(csv.GetString(column), CultureInfo.InvariantCulture));
        return values.ToArray();
    }
}
