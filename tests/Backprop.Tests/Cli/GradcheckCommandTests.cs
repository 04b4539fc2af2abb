using System.Text.Json;

namespace Backprop.Tests.Cli;

public sealed class GradcheckCommandTests
{
    private static readonly string NotebookFile = TestFiles.Path("../../examples/notebook.json");

    [Fact]
    public void Gradcheck_passes_on_the_notebook_with_the_contracts_json()
    {
        var result = CliRunner.Run("gradcheck", "--model", NotebookFile, "--format", "json");

        Assert.Equal(0, result.Code);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(["max_relative_error", "parameters"], json.EnumerateObject().Select(p => p.Name));
        Assert.True(json.GetProperty("max_relative_error").GetDouble() < 1e-6);
        var parameters = json.GetProperty("parameters").EnumerateArray().ToArray();
        Assert.Equal(4, parameters.Length);
        Assert.All(parameters, p => Assert.Equal(["name", "max_relative_error"], p.EnumerateObject().Select(q => q.Name)));
        Assert.Equal("layers[0].weights", parameters[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Gradcheck_text_reports_each_parameter_and_the_verdict()
    {
        var result = CliRunner.Run("gradcheck", "--model", NotebookFile);

        Assert.Equal(0, result.Code);
        Assert.Contains("layers[1].bias", result.Out);
        Assert.Contains(": passed", result.Out);
    }

    [Fact]
    public void Gradcheck_needs_a_model()
    {
        var result = CliRunner.Run("gradcheck");

        Assert.Equal(2, result.Code);
        Assert.Equal("error: Option '--model' is required.", result.ErrorLines.Single());
    }
}
