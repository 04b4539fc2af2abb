using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Backprop.Cli;

namespace Backprop.Tests.Cli;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
internal sealed record CliResult(int Code, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public JsonObject Json => JsonNode.Parse(Out)!.AsObject();
}

/// <summary>Runs `backprop` in-process and writes small data files for it.</summary>
internal static class CliHarness
{
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = BackpropCli.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Checks the contract's failure shape: the code, one `error: ` line, no stack trace.</summary>
    public static void AssertFails(CliResult result, int code, params string[] messageParts)
    {
        Assert.True(result.Code == code, $"expected exit {code}, got {result.Code}; stderr: {result.Error}");
        var lines = result.ErrorLines;
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("internal error", result.Error);
        foreach (var part in messageParts) Assert.Contains(part, lines[0]);
    }

    /// <summary>A regression CSV: three features, a target y = 3a − 2b + c/2 + noise with many distinct non-integer values.</summary>
    public static string RegressionCsv(int rows = 120, double scale = 1, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder("a,b,c,y\n");
        for (int i = 0; i < rows; i++)
        {
            double a = random.NextDouble() * 4 - 2, b = random.NextDouble() * 4 - 2, c = random.NextDouble() * 10;
            double y = (3 * a - 2 * b + 0.5 * c + 0.1 * random.NextDouble()) * scale;
            text.Append(CultureInfo.InvariantCulture, $"{a:R},{b:R},{c:R},{y:R}\n");
        }
        return text.ToString();
    }

    /// <summary>A classification CSV with string labels: the class is the quadrant of (x, y).</summary>
    public static string StringLabelCsv(int rows = 120, int seed = 2, string[]? classes = null)
    {
        classes ??= ["north", "east", "south", "west"];
        var random = new Random(seed);
        var text = new StringBuilder("x,y,kind\n");
        for (int i = 0; i < rows; i++)
        {
            int label = i % classes.Length;
            double x = (label % 2 == 0 ? 1 : -1) + random.NextDouble() * 0.5, y = (label / 2 == 0 ? 1 : -1) + random.NextDouble() * 0.5;
            text.Append(CultureInfo.InvariantCulture, $"{x:R},{y:R},{classes[label]}\n");
        }
        return text.ToString();
    }

    /// <summary>Every file name in a folder, sorted, for "nothing was left behind" checks.</summary>
    public static string[] Listing(string folder) =>
        Directory.GetFiles(folder).Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal).ToArray();
}
