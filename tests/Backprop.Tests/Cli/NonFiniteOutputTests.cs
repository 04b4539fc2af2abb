using System.Text.Json.Nodes;

namespace Backprop.Tests.Cli;

/// <summary>Finite features far beyond the training range overflow the network: the outputs say so instead of
/// crashing (JSON has no NaN) or naming a class the model never chose.</summary>
public sealed class NonFiniteOutputTests
{
    private const string Train = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n1,1,0\n0,1,1\n1,0,1\n";
    private const string Extreme = "a,b,y\n3e38,-3e38,1\n0,1,1\n";

    [Fact]
    public void Predict_writes_the_overflowed_row_without_a_class_and_says_so()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string model = TrainModel(directory), data = directory.File("extreme.csv");
        File.WriteAllText(data, Extreme);

        var result = CliRunner.Run("predict", "--model", model, "--data", data);

        Assert.Equal(0, result.Code);
        string[] rows = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(",NaN,NaN", rows[1]);
        Assert.NotEqual("", rows[2].Split(',')[0]);
        Assert.Equal("note: the model's output is not finite for 1 of 2 samples (the first: sample 1): " +
            "their features are likely far outside the range it was trained on", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Eval_json_writes_null_for_a_loss_that_is_not_finite()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string model = TrainModel(directory), data = directory.File("extreme.csv");
        File.WriteAllText(data, Extreme);

        var result = CliRunner.Run("eval", "--model", model, "--data", data, "--format", "json");

        Assert.Equal(0, result.Code);
        var json = JsonNode.Parse(result.Out)!.AsObject();
        Assert.Null(json["loss"]);
        Assert.Equal(2, (int)json["samples"]!);
        Assert.StartsWith("note: 1 of 2 samples got no prediction and count as wrong", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Eval_never_counts_a_sample_without_a_prediction_as_right()
    {
        // Such rows once took the first class's index, so that labelled with the first class they all scored.
        using var directory = new TestFiles.TemporaryDirectory();
        string model = TrainModel(directory), data = directory.File("extreme.csv");
        File.WriteAllText(data, "a,b,y\n3e38,-3e38,0\n-3e38,3e38,0\n");

        var json = JsonNode.Parse(CliRunner.Succeed("eval", "--model", model, "--data", data, "--format", "json").Out)!.AsObject();
        var text = CliRunner.Succeed("eval", "--model", model, "--data", data);

        Assert.Equal(0.0, (double)json["accuracy"]!);
        Assert.Contains("accuracy 0.00 % (0/2)", text.Out);
        Assert.Contains("2 samples got no prediction (their outputs overflowed); they are in no cell of the matrix", text.Out);
    }

    [Fact]
    public void Eval_text_counts_a_sample_without_a_prediction_among_its_class_samples_as_its_recall_does()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string model = TrainModel(directory), data = directory.File("extreme.csv");
        File.WriteAllText(data, Extreme); // two samples of class 1, the first of which overflows

        var text = CliRunner.Succeed("eval", "--model", model, "--data", data).Out;

        string perClass = text[text.IndexOf("per class", StringComparison.Ordinal)..];
        string[] classOne = perClass.Split('\n').Single(line => line.StartsWith("│ 1 ", StringComparison.Ordinal))
            .Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("2", classOne[^1]);
    }

    [Fact]
    public void Train_counts_test_samples_that_overflow_as_wrong_as_eval_does_rather_than_calling_it_divergence()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string train = directory.File("train.csv"), test = directory.File("extreme.csv");
        File.WriteAllText(train, Train);
        File.WriteAllText(test, Extreme);

        var result = CliRunner.Run("train", "--data", train, "--test", test, "--epochs", "2", "--layers", "4", "--format", "json", "--patience", "1");

        Assert.Equal(0, result.Code);
        var json = JsonNode.Parse(result.Out)!.AsObject();
        Assert.Null(json["test_loss"]);
        Assert.Equal(2, (int)json["test_samples"]!);
        Assert.True((double)json["test_accuracy"]! <= 0.5);
        Assert.Equal(2, json["epochs"]!.AsArray().Count);
        Assert.All(json["epochs"]!.AsArray(), epoch => Assert.Null(epoch!["test_loss"]));
        Assert.StartsWith("note: 1 of 2 samples got no prediction and count as wrong", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Train_reports_a_regression_test_set_that_overflows_as_null_metrics()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string train = directory.File("train.csv"), test = directory.File("extreme.csv");
        File.WriteAllText(train, RegressionTrain);
        File.WriteAllText(test, Extreme);

        var result = CliRunner.Run("train", "--data", train, "--test", test, "--epochs", "2", "--layers", "4", "--task", "regression", "--format", "json");

        Assert.Equal(0, result.Code);
        var json = JsonNode.Parse(result.Out)!.AsObject();
        Assert.Null(json["test_rmse"]);
        Assert.Null(json["test_loss"]);
        Assert.StartsWith("note: the loss is not finite", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("a,b,y\n3e38,-3e38,1\n0,1,2\n", "R² undefined (outputs not finite)")]
    [InlineData("a,b,y\n0,0,1\n0,1,1\n", "R² undefined (constant target)")]
    public void Eval_text_tells_an_r2_undefined_by_overflow_from_one_undefined_by_a_constant_target(string test, string expected)
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string train = directory.File("train.csv"), model = directory.File("m.bp"), data = directory.File("test.csv");
        File.WriteAllText(train, RegressionTrain);
        File.WriteAllText(data, test);
        CliRunner.Succeed("train", "--data", train, "--epochs", "2", "--layers", "4", "--task", "regression", "--out", model, "--format", "json");

        var text = CliRunner.Succeed("eval", "--model", model, "--data", data).Out;

        Assert.Contains(expected, text);
    }

    private const string RegressionTrain = "a,b,y\n0,0,0.5\n0,1,1.5\n1,0,2.5\n1,1,3.5\n2,0,4.5\n2,1,5.5\n3,0,6.5\n3,1,7.5\n";

    private static string TrainModel(TestFiles.TemporaryDirectory directory)
    {
        string data = directory.File("train.csv"), model = directory.File("m.bp");
        File.WriteAllText(data, Train);
        CliRunner.Succeed("train", "--data", data, "--epochs", "2", "--layers", "4", "--out", model, "--format", "json");
        return model;
    }
}
