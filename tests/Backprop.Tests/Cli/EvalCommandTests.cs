using System.Text.Json.Nodes;

namespace Backprop.Tests.Cli;

public sealed class EvalCommandTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    [Fact]
    public void Eval_json_reproduces_the_test_accuracy_and_loss_that_train_reported()
    {
        var trained = JsonNode.Parse(models.TrainJson)!.AsObject();
        var result = CliRunner.Succeed("eval", "--model", models.ClassifierPath, "--data", models.TestCsv, "--format", "json");

        var report = JsonNode.Parse(result.Out)!.AsObject();
        Assert.Equal(["accuracy", "loss", "samples"], report.Select(pair => pair.Key).Order());
        Assert.Equal((double)trained["test_accuracy"]!, (double)report["accuracy"]!);
        Assert.Equal((double)trained["test_loss"]!, (double)report["loss"]!, 1e-6);
        Assert.Equal(models.TestRows, (int)report["samples"]!);
    }

    [Fact]
    public void Eval_text_shows_the_accuracy_the_confusion_matrix_and_per_class_precision_and_recall()
    {
        var result = CliRunner.Succeed("eval", "--model", models.ClassifierPath, "--data", models.TestCsv);

        Assert.Contains("accuracy", result.Out);
        Assert.Contains("confusion matrix", result.Out);
        Assert.Contains("true \\ predicted", result.Out); // the corner cell says which way the matrix reads
        Assert.All(result.Out.Split('\n').Where(line => line.Contains("confusion matrix")), line => Assert.Equal("confusion matrix", line.Trim()));
        Assert.Contains("precision", result.Out);
        Assert.Contains("recall", result.Out);
        foreach (var label in TrainedModels.Labels) Assert.Contains(label, result.Out);
        Assert.DoesNotContain('\u001b', result.Out); // no colour codes outside a terminal
    }

    [Fact]
    public void Eval_of_a_regression_model_prints_rmse_mae_r2_and_samples()
    {
        var result = CliRunner.Succeed("eval", "--model", models.RegressorPath, "--data", models.RegressionCsv, "--format", "json");

        var report = JsonNode.Parse(result.Out)!.AsObject();
        Assert.Equal(["mae", "r2", "rmse", "samples"], report.Select(pair => pair.Key).Order());
        Assert.True((double)report["rmse"]! >= 0);
        Assert.True((double)report["mae"]! <= (double)report["rmse"]!);
        Assert.Equal(80, (int)report["samples"]!);
    }

    [Fact]
    public void Eval_with_a_label_the_model_never_saw_exits_2_with_one_error_line_naming_the_line()
    {
        string data = models.Write("unseen.csv", "x,label,y\n0.1,setosa,0.2\n4.0,daisy,-2.0\n");

        var result = CliRunner.Run("eval", "--model", models.ClassifierPath, "--data", data);

        Assert.Equal(2, result.Code);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains("unseen.csv:3", line);
        Assert.Contains("daisy", line);
    }

    [Fact]
    public void Eval_of_a_corrupt_model_file_exits_2()
    {
        string corrupt = models.Write("corrupt.bp", "\u0010\0\0\0\0\0\0\0{\"a\": 1");

        var result = CliRunner.Run("eval", "--model", corrupt, "--data", models.TestCsv);

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Eval_of_a_missing_model_file_exits_2()
    {
        var result = CliRunner.Run("eval", "--model", Path.Combine(models.Folder, "absent.bp"), "--data", models.TestCsv);

        Assert.Equal(2, result.Code);
        Assert.Contains("absent.bp", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Eval_of_data_without_the_models_features_exits_2()
    {
        var result = CliRunner.Run("eval", "--model", models.ClassifierPath, "--data", models.RegressionCsv);

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Eval_text_of_many_classes_lists_the_largest_confusions_instead_of_a_matrix()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        int classes = Backprop.Cli.Commands.EvalCommand.MaxMatrixClasses + 10;
        var rows = Enumerable.Range(0, 4 * classes).Select(i => $"{i % 7 * 0.1},{i % 5 * 0.2},k{i % classes}");
        string data = directory.File("many.csv"), model = directory.File("many.bp");
        File.WriteAllText(data, "a,b,label\n" + string.Join("\n", rows) + "\n");
        CliRunner.Succeed("train", "--data", data, "--epochs", "2", "--layers", "8", "--out", model, "--format", "json");

        var result = CliRunner.Succeed("eval", "--model", model, "--data", data);

        Assert.Contains($"The confusion matrix of {classes} classes is too wide to show; its largest counts off the diagonal:", result.Out);
        Assert.Contains("most frequent confusions", result.Out);
        Assert.DoesNotContain("true \\ predicted", result.Out);
        Assert.DoesNotContain("…", result.Out);
    }

    [Fact]
    public void Eval_text_lists_the_largest_confusions_where_the_matrix_is_too_wide_to_show_each_label_and_count_whole()
    {
        // 30 classes fit the matrix's class limit, but 30 columns headed 'class_NN' do not fit 200 characters:
        // Spectre squeezed them to 'cl…', and split wider counts over two lines.
        using var directory = new TestFiles.TemporaryDirectory();
        int classes = Backprop.Cli.Commands.EvalCommand.MaxMatrixClasses;
        var rows = Enumerable.Range(0, 2 * classes).Select(i => $"{i % 7 * 0.1},{i % 5 * 0.2},class_{i % classes:D2}");
        string data = directory.File("wide.csv"), model = directory.File("wide.bp");
        File.WriteAllText(data, "a,b,label\n" + string.Join("\n", rows) + "\n");
        CliRunner.Succeed("train", "--data", data, "--epochs", "1", "--layers", "4", "--out", model, "--format", "json");

        var result = CliRunner.Succeed("eval", "--model", model, "--data", data);

        Assert.Contains($"The confusion matrix of {classes} classes is too wide to show; its largest counts off the diagonal:", result.Out);
        Assert.DoesNotContain("…", result.Out);
    }

    [Fact]
    public void Eval_text_shows_control_characters_in_labels_as_escapes_rather_than_breaking_rows_or_reaching_the_terminal()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string[] labels = ["line\nbreak", "esc\u001b[31mred", "tab\there", "[red]ok[/]"];
        var rows = Enumerable.Range(0, 4 * labels.Length).Select(i => $"{i % labels.Length},\"{labels[i % labels.Length]}\"");
        string data = directory.File("control.csv"), model = directory.File("control.bp");
        File.WriteAllText(data, "a,label\n" + string.Join("\n", rows) + "\n");
        CliRunner.Succeed("train", "--data", data, "--epochs", "1", "--layers", "4", "--out", model, "--format", "json");

        string text = CliRunner.Succeed("eval", "--model", model, "--data", data).Out;

        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\t', text);
        foreach (var shown in new[] { "│ line\\nbreak ", "│ esc\\u001b[31mred ", "│ tab\\there ", "│ [red]ok[/] " })
            Assert.Contains(shown, text);
    }

    [Fact]
    public void Eval_text_of_many_classes_without_confusions_says_so_rather_than_drawing_an_empty_table()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        int classes = Backprop.Cli.Commands.EvalCommand.MaxMatrixClasses + 1;
        var rows = Enumerable.Range(0, 4 * classes).Select(i => $"{i % classes},k{i % classes}");
        string data = directory.File("many.csv"), model = directory.File("many.bp"), one = directory.File("one.csv");
        File.WriteAllText(data, "a,label\n" + string.Join("\n", rows) + "\n");
        CliRunner.Succeed("train", "--data", data, "--epochs", "1", "--layers", "4", "--out", model, "--format", "json");
        // One sample, so that whatever the model predicts for it, the only confusion-free data is the prediction itself.
        string predicted = CliRunner.Succeed("predict", "--model", model, "--data", data).Out.Split('\n')[1].Split(',')[0];
        File.WriteAllText(one, $"a,label\n0,{predicted}\n");

        string text = CliRunner.Succeed("eval", "--model", model, "--data", one).Out;

        Assert.Contains("nothing is off its diagonal: no sample was predicted as another class.", text);
        Assert.DoesNotContain("most frequent confusions", text);
    }
}
