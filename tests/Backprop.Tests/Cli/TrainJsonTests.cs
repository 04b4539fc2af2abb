using System.Text.Json.Nodes;
using Backprop.Tests.Data;
using static Backprop.Tests.Cli.CliHarness;

namespace Backprop.Tests.Cli;

public sealed class TrainJsonTests
{
    private static readonly string[] TimingKeys = ["train_seconds", "samples_per_second"];

    private static JsonObject WithoutTiming(JsonObject report)
    {
        var copy = report.DeepClone().AsObject();
        foreach (var key in TimingKeys) Assert.True(copy.Remove(key), $"the report lacks {key}");
        return copy;
    }

    [Fact]
    public void The_same_seed_twice_gives_the_same_report_apart_from_timing()
    {
        var first = Run("train", "--layers", "16", "--epochs", "2", "--format", "json", "--seed", "7");
        var second = Run("train", "--layers", "16", "--epochs", "2", "--format", "json", "--seed", "7");
        Assert.Equal(0, first.Code);
        Assert.Equal(0, second.Code);
        Assert.True(JsonNode.DeepEquals(WithoutTiming(first.Json), WithoutTiming(second.Json)), $"{first.Out}\n{second.Out}");
    }

    [Fact]
    public void A_different_seed_gives_different_numbers()
    {
        var first = Run("train", "--layers", "16", "--epochs", "2", "--format", "json", "--seed", "7");
        var second = Run("train", "--layers", "16", "--epochs", "2", "--format", "json", "--seed", "8");
        Assert.Equal(0, first.Code);
        Assert.Equal(0, second.Code);
        Assert.NotEqual((double)first.Json["epochs"]![0]!["train_loss"]!, (double)second.Json["epochs"]![0]!["train_loss"]!);
        Assert.NotEqual((double)first.Json["test_loss"]!, (double)second.Json["test_loss"]!);
    }

    [Fact]
    public void Classification_reports_the_contract_keys()
    {
        var result = Run("train", "--layers", "16", "--epochs", "2", "--format", "json");
        Assert.Equal(0, result.Code);
        var report = result.Json;
        var epochs = report["epochs"]!.AsArray();
        Assert.Equal(2, epochs.Count);
        for (int i = 0; i < epochs.Count; i++)
        {
            var epoch = epochs[i]!.AsObject();
            Assert.Equal(i + 1, (int)epoch["epoch"]!);
            foreach (var key in new[] { "train_loss", "test_loss", "test_accuracy" }) Assert.True(double.IsFinite((double)epoch[key]!), key);
            Assert.False(epoch.ContainsKey("test_rmse"));
        }
        foreach (var key in new[] { "test_loss", "test_accuracy", "train_seconds", "samples_per_second" })
            Assert.True(double.IsFinite((double)report[key]!), key);
        Assert.InRange((double)report["test_accuracy"]!, 0.5, 1.0);
        Assert.False(report.ContainsKey("test_rmse"));
        Assert.False(report.ContainsKey("test_r2"));
        Assert.Equal("", result.Error);
    }

    [Fact]
    public void A_regression_target_reports_rmse_and_r2_instead_of_accuracy()
    {
        using var folder = new TempFolder();
        string data = folder.Write("reg.csv", RegressionCsv());
        var result = Run("train", "--data", data, "--epochs", "3", "--format", "json");
        Assert.Equal(0, result.Code);
        AssertRegressionReport(result.Json, 3);
    }

    [Fact]
    public void Task_regression_forces_regression_on_an_integer_target()
    {
        using var folder = new TempFolder();
        // y takes 3 integer values: auto would call it classification.
        string data = folder.Write("small.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i},{i % 3}\n")));
        var auto = Run("train", "--data", data, "--epochs", "2", "--format", "json");
        Assert.Equal(0, auto.Code);
        Assert.True(auto.Json.ContainsKey("test_accuracy"));
        var forced = Run("train", "--data", data, "--epochs", "2", "--format", "json", "--task", "regression");
        Assert.Equal(0, forced.Code);
        AssertRegressionReport(forced.Json, 2);
    }

    private static void AssertRegressionReport(JsonObject report, int epochCount)
    {
        var epochs = report["epochs"]!.AsArray();
        Assert.Equal(epochCount, epochs.Count);
        foreach (var epoch in epochs)
        {
            foreach (var key in new[] { "epoch", "train_loss", "test_loss", "test_rmse", "test_r2" }) Assert.True(epoch!.AsObject().ContainsKey(key), key);
            Assert.False(epoch!.AsObject().ContainsKey("test_accuracy"));
        }
        foreach (var key in new[] { "test_loss", "test_rmse", "test_r2", "train_seconds", "samples_per_second" })
            Assert.True(double.IsFinite((double)report[key]!), key);
        Assert.False(report.ContainsKey("test_accuracy"));
    }
}
