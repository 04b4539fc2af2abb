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

    // z[0][0] = 1·1 − 0.5·2 + 0 = 0: exactly on relu's kink.
    private const string KinkModel = """
        {"input": [1, 2], "target": [3], "loss": "squared_error", "learning_rate": 0.1,
         "layers": [{"activation": "relu", "weights": [[1, -0.5]], "bias": [0]},
                    {"activation": "identity", "weights": [[2]], "bias": [0.5]}]}
        """;

    // z[0][0] of sample 0 is 1e-5 from relu's kink.
    private const string NearKinkModel = """
        {"input": [[1, 2], [0.5, -1]], "target": [[3], [1]], "loss": "mse", "learning_rate": 0.1,
         "layers": [{"activation": "relu", "weights": [[1, -1], [0.5, 0.5]], "bias": [1.00001, 0.2]},
                    {"activation": "tanh", "weights": [[2, 3]], "bias": [0.1]}]}
        """;

    /// <summary>Runs `backprop gradcheck` on an explain model file holding <paramref name="modelJson"/>.</summary>
    private static CliResult GradcheckOn(string modelJson)
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("model.json");
        File.WriteAllText(path, modelJson);
        return CliRunner.Run("gradcheck", "--model", path);
    }

    [Fact]
    public void A_mismatch_on_a_relu_kink_still_exits_4_and_says_why()
    {
        var result = GradcheckOn(KinkModel);

        Assert.Equal(4, result.Code);
        Assert.Equal(2, result.ErrorLines.Length);
        Assert.StartsWith("gradcheck: layers[0].weights element 0: autograd 0, finite differences -5", result.ErrorLines[0]);
        Assert.StartsWith("note: z[0][0] (relu) = 0: within 1E-08 of the activation's kink at 0,", result.ErrorLines[1]);
    }

    [Fact]
    public void Only_pre_activations_on_a_kink_are_named()
    {
        var kink = Backprop.IO.ExplainModelFile.Parse(KinkModel, "kink.json");
        var onIt = Backprop.IO.ExplainModelFile.Parse(KinkModel.Replace("\"bias\": [0]", "\"bias\": [1e-9]"), "on.json");
        var near = Backprop.IO.ExplainModelFile.Parse(KinkModel.Replace("\"bias\": [0]", "\"bias\": [1e-7]"), "near.json");
        var off = Backprop.IO.ExplainModelFile.Parse(KinkModel.Replace("\"bias\": [0]", "\"bias\": [0.5]"), "off.json");
        var smooth = Backprop.IO.ExplainModelFile.Parse(KinkModel.Replace("\"relu\"", "\"softplus\""), "smooth.json");

        Assert.Equal(["z[0][0] (relu) = 0"], Backprop.Explain.ModelGradientCheck.Kinks(kink));
        Assert.Equal(["z[0][0] (relu) = 1E-09"], Backprop.Explain.ModelGradientCheck.Kinks(onIt));
        Assert.Empty(Backprop.Explain.ModelGradientCheck.Kinks(near));
        Assert.Empty(Backprop.Explain.ModelGradientCheck.Kinks(off));
        Assert.Empty(Backprop.Explain.ModelGradientCheck.Kinks(smooth));
        // Off the kink, even by 1e-7, the finite differences (from steps small enough not to cross it) resolve the gradient.
        Assert.True(Backprop.Explain.ModelGradientCheck.Check(off).Passed());
        Assert.True(Backprop.Explain.ModelGradientCheck.Check(near).Passed());
        Assert.False(Backprop.Explain.ModelGradientCheck.Check(kink).Passed());
    }

    [Fact]
    public void A_mismatch_near_a_kink_is_explained_by_the_steps_that_avoid_it()
    {
        // z[0][0] of sample 0 is 1e-5 from relu's kink: the steps that stay clear of it carry round-off of ~2e-5 relative.
        var result = GradcheckOn(NearKinkModel);

        Assert.Equal(4, result.Code);
        Assert.StartsWith("note: z[0][0] of sample 0 (relu) = 1.0000000000065512E-05: within 0.0001 of the activation's kink at 0;", result.ErrorLines[^1]);
    }

    [Fact]
    public void A_loss_that_overflows_is_named_as_the_reason_no_finite_difference_agrees()
    {
        // (1e308 − 0)² overflows: autograd gives ∞ and every finite difference NaN.
        var result = GradcheckOn("""
            {"input": [1e308], "target": [0], "loss": "squared_error", "learning_rate": 0.1,
             "layers": [{"activation": "identity", "weights": [[1]], "bias": [0]}]}
            """);

        Assert.Equal(4, result.Code);
        Assert.StartsWith("note: the loss itself is Infinity at the model's parameters", result.ErrorLines[^1]);
    }

    [Fact]
    public void A_mismatch_prints_both_gradients_with_enough_digits_to_tell_them_apart()
    {
        // 2.9e-6 apart: with three digits both read -0.000974.
        var result = GradcheckOn(NearKinkModel);

        Assert.StartsWith("gradcheck: layers[0].weights element 1: autograd -0.0009737, finite differences -0.0009738 (relative error 2.91E-06",
            result.ErrorLines[0]);
    }

    [Theory]
    [InlineData(-0.7226010823966726, -0.7225987109666343, "-0.722601", "-0.722599")]
    [InlineData(0, -5.45, "0", "-5.45")]
    [InlineData(1.0, 1.0000000000000002, "1", "1.0000000000000002")]
    public void Gradients_are_written_with_the_fewest_digits_that_differ(double analytic, double numeric, string analyticText, string numericText) =>
        Assert.Equal((analyticText, numericText), Backprop.Cli.Commands.GradcheckCommand.Distinguishable(analytic, numeric));
}
