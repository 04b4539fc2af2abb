using System.Globalization;
using System.Text;
using Backprop.Cli;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

internal static class CliRunner
{
    public static CliResult Run(params string[] args) => CliHarness.Run(args);

    public static CliResult Succeed(params string[] args)
    {
        var result = Run(args);
        Assert.True(result.Code == 0, $"backprop {string.Join(' ', args)} exited {result.Code}: {result.Error}");
        return result;
    }
}

/// <summary>
/// Small labelled CSVs (three well-separated classes whose labels hold a comma and a quote, and a linear
/// regression) and models trained on them once per test class.
/// </summary>
public sealed class TrainedModels : IDisposable
{
    public static readonly string[] Labels = ["setosa", "vers,icolor", "vir\"ginica"];
    private readonly TempFolder folder = new();

    public TrainedModels()
    {
        var random = new Random(7);
        var rows = Enumerable.Range(0, 160).Select(_ =>
        {
            int label = random.Next(3);
            return (X: label * 2 + Noise(random), Label: label, Y: -label + Noise(random));
        }).ToArray();
        // The target sits between the features, so predict and eval must find it by name, not by position.
        TrainCsv = folder.Write("train.csv", ClassificationCsv(rows[..120], withTarget: true));
        TestCsv = folder.Write("test.csv", ClassificationCsv(rows[120..], withTarget: true));
        TestRows = rows.Length - 120;
        UnlabelledCsv = folder.Write("unlabelled.csv", ClassificationCsv(rows[120..], withTarget: false));
        ClassifierPath = Path.Combine(folder.Path, "classifier.bp");
        TrainJson = CliRunner.Succeed("train", "--data", TrainCsv, "--test", TestCsv, "--target", "label", "--epochs", "8",
            "--layers", "16", "--lr", "0.01", "--seed", "3", "--out", ClassifierPath, "--format", "json").Out;

        var regression = new StringBuilder("a,b,t\n");
        for (int i = 0; i < 80; i++)
        {
            double a = random.NextDouble(), b = random.NextDouble();
            regression.Append(Invariant($"{a:F4},{b:F4},{3 * a - 2 * b + 0.05 * Noise(random):F4}\n"));
        }
        RegressionCsv = folder.Write("regression.csv", regression.ToString());
        RegressorPath = Path.Combine(folder.Path, "regressor.bp");
        CliRunner.Succeed("train", "--data", RegressionCsv, "--task", "regression", "--epochs", "5", "--layers", "8",
            "--out", RegressorPath, "--format", "json");
    }

    public string Folder => folder.Path;
    public string TrainCsv { get; }
    public string TestCsv { get; }
    public int TestRows { get; }
    public string UnlabelledCsv { get; }
    public string ClassifierPath { get; }
    public string TrainJson { get; }
    public string RegressionCsv { get; }
    public string RegressorPath { get; }

    public string Write(string name, string text) => folder.Write(name, text);

    public void Dispose() => folder.Dispose();

    private static string ClassificationCsv((double X, int Label, double Y)[] rows, bool withTarget)
    {
        var text = new StringBuilder(withTarget ? "x,label,y\n" : "y,x\n");
        foreach (var (x, label, y) in rows)
            text.Append(withTarget ? Invariant($"{x:F4},{Quote(Labels[label])},{y:F4}\n") : Invariant($"{y:F4},{x:F4}\n"));
        return text.ToString();
    }

    private static string Quote(string field) => field.Contains(',') || field.Contains('"') ? $"\"{field.Replace("\"", "\"\"")}\"" : field;

    private static double Noise(Random random) => (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 0.8;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
