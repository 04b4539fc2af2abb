using System.Globalization;
using Sylvan.Data.Csv;

namespace Backprop.Tests.Cli;

public sealed class PredictCommandTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    private static readonly string[] ExpectedHeader = ["prediction", .. TrainedModels.Labels.Select(label => "p_" + label)];

    [Fact]
    public void Predict_passes_over_an_id_column_and_eval_names_the_models_target_when_it_is_missing()
    {
        // The model knows its target is "label": an id column beside it is neither taken for the target nor refused.
        string[] lines = File.ReadAllLines(models.TestCsv);
        string withIds = models.Write("with-ids.csv", string.Join("\n", lines.Select((line, i) => (i == 0 ? "id" : $"row{i}") + "," + line)) + "\n");
        string renamed = models.Write("renamed.csv", string.Join("\n", lines.Select((line, i) => i == 0 ? "x,kind,y" : line)) + "\n");

        var predicted = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", withIds);
        var plain = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv);
        var evaluated = CliRunner.Run("eval", "--model", models.ClassifierPath, "--data", renamed);

        Assert.Equal(plain.Out, predicted.Out);
        Assert.Equal(2, evaluated.Code);
        Assert.StartsWith($"error: {renamed}:1: no target column 'label', the column the model was trained to predict", Assert.Single(evaluated.ErrorLines));
        Assert.Equal(0, CliRunner.Run("eval", "--model", models.ClassifierPath, "--data", renamed, "--target", "kind").Code);
    }

    [Fact]
    public void Predict_names_the_class_eval_scores_when_two_logits_round_to_one_probability()
    {
        // Logits 0.25 and the next float up, 0.25 + 3e-8: their float probabilities are both 0.5. eval scores the
        // larger logit, "b"; predict took the first of the equal probabilities, "a".
        var network = new Backprop.Nn.Sequential<float>(new Backprop.Nn.Linear<float>(
            Tensor.FromArray([0f, 0f], 2, 1), Tensor.FromArray([0.25f, MathF.BitIncrement(0.25f)], 2)));
        var model = new Backprop.Training.TrainedModel(network, Backprop.Data.TaskKind.Classification, ["x"], [1], ["a", "b"], null);
        string path = models.Write("tie.bp", "");
        Backprop.IO.TrainedModelFile.Save(path, model);
        string data = models.Write("tie.csv", "x,label\n1,b\n");

        var predicted = CliRunner.Succeed("predict", "--model", path, "--data", data);
        var evaluated = CliRunner.Succeed("eval", "--model", path, "--data", data, "--format", "json");

        Assert.StartsWith("b,", predicted.Out.Split('\n')[1]);
        Assert.Contains("\"accuracy\":1", evaluated.Out.Replace(" ", ""));
    }

    [Fact]
    public void Predict_out_dash_writes_to_standard_output_not_to_a_file_named_dash()
    {
        var toStdout = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv);

        var dashed = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv, "--out", "-");

        Assert.Equal(toStdout.Out, dashed.Out);
        Assert.False(File.Exists("-"));
    }

    [Fact]
    public void Predict_writes_the_prediction_and_one_probability_per_class_for_every_input_row()
    {
        var result = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv);

        var (header, rows) = ReadCsv(result.Out);
        Assert.Equal(ExpectedHeader, header);
        Assert.Equal(models.TestRows, rows.Count);
        foreach (var row in rows)
        {
            var probabilities = row[1..].Select(field => double.Parse(field, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1.0, probabilities.Sum(), 1e-5);
            Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
            int best = Array.IndexOf(probabilities, probabilities.Max());
            Assert.Equal(TrainedModels.Labels[best], row[0]);
        }
    }

    [Fact]
    public void Predict_quotes_the_header_fields_whose_labels_hold_commas_and_quotes()
    {
        var result = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv);

        Assert.StartsWith("prediction,p_setosa,\"p_vers,icolor\",\"p_vir\"\"ginica\"\n", result.Out);
    }

    [Fact]
    public void Predict_on_a_csv_without_the_target_column_gives_the_same_predictions()
    {
        var labelled = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv);
        var unlabelled = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.UnlabelledCsv);

        Assert.Equal(labelled.Out, unlabelled.Out);
    }

    [Fact]
    public void Predict_on_a_csv_whose_target_column_is_left_blank_gives_the_same_predictions()
    {
        // New data often keeps the label column, empty (pandas writes a missing label so); it was refused as 'the target is empty'.
        string[] lines = File.ReadAllLines(models.UnlabelledCsv);
        string blank = models.Write("blank-labels.csv", string.Join("\n", lines.Select((line, i) => i == 0 ? "x,label,y" : Insert(line, ""))) + "\n");

        var predicted = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", blank);

        Assert.Equal(CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.UnlabelledCsv).Out, predicted.Out);
    }

    [Fact]
    public void Predict_still_refuses_an_unseen_label_beside_blank_ones()
    {
        string[] lines = File.ReadAllLines(models.UnlabelledCsv);
        string mixed = models.Write("mixed-labels.csv", string.Join("\n", lines.Select((line, i) => i == 0 ? "x,label,y" : Insert(line, i == 2 ? "daisy" : ""))) + "\n");

        var result = CliRunner.Run("predict", "--model", models.ClassifierPath, "--data", mixed);

        Assert.Equal(2, result.Code);
        Assert.Contains("mixed-labels.csv:3: column 'label': label 'daisy' was not seen in training", Assert.Single(result.ErrorLines));
    }

    // The unlabelled file's rows are y,x: written as the labelled files are, x,label,y.
    private static string Insert(string unlabelledLine, string label) => unlabelledLine.Split(',') is [var y, var x] ? $"{x},{label},{y}" : throw new FormatException(unlabelledLine);

    [Fact]
    public void Predict_out_writes_the_same_csv_as_stdout_and_leaves_no_temporary_file()
    {
        string folder = Directory.CreateDirectory(Path.Combine(models.Folder, "predict-out")).FullName;
        string output = Path.Combine(folder, "predictions.csv");

        var result = CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv, "--out", output);

        Assert.Equal("", result.Out);
        Assert.Equal(CliRunner.Succeed("predict", "--model", models.ClassifierPath, "--data", models.TestCsv).Out, File.ReadAllText(output));
        Assert.Equal([output], Directory.GetFiles(folder));
    }

    [Fact]
    public void Predict_out_with_bad_input_leaves_an_existing_file_byte_identical()
    {
        string folder = Directory.CreateDirectory(Path.Combine(models.Folder, "predict-keep")).FullName;
        string output = Path.Combine(folder, "predictions.csv");
        byte[] original = "prediction\nkeep me\n"u8.ToArray();
        File.WriteAllBytes(output, original);
        string bad = models.Write("bad-feature.csv", "x,label,y\n0.1,setosa,0.2\nabc,setosa,0.3\n");

        var result = CliRunner.Run("predict", "--model", models.ClassifierPath, "--data", bad, "--out", output);

        Assert.Equal(2, result.Code);
        Assert.Contains("bad-feature.csv:3", Assert.Single(result.ErrorLines));
        Assert.Equal(original, File.ReadAllBytes(output));
        Assert.Equal([output], Directory.GetFiles(folder));
    }

    [Fact]
    public void Predict_with_a_regression_model_writes_one_value_column()
    {
        var result = CliRunner.Succeed("predict", "--model", models.RegressorPath, "--data", models.RegressionCsv);

        var (header, rows) = ReadCsv(result.Out);
        Assert.Equal(["prediction"], header);
        Assert.Equal(80, rows.Count);
        Assert.All(rows, row => Assert.True(float.IsFinite(float.Parse(Assert.Single(row), CultureInfo.InvariantCulture))));
    }

    private static (string[] Header, List<string[]> Rows) ReadCsv(string text)
    {
        using var csv = CsvDataReader.Create(new StringReader(text), new CsvDataReaderOptions { HasHeaders = true });
        var header = Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToArray();
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add(Enumerable.Range(0, csv.RowFieldCount).Select(csv.GetString).ToArray());
        return (header, rows);
    }
}
