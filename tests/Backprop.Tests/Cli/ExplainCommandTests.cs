using System.Text.Json;
using Backprop.Explain;
using Backprop.IO;
using Backprop.Tests.IO;

namespace Backprop.Tests.Cli;

public sealed class ExplainCommandTests
{
    private static JsonElement Expected() => JsonDocument.Parse(TestFiles.ReadText("Explain/notebook-expected.json")).RootElement;

    [Fact]
    public void Explain_json_reproduces_the_notebooks_expected_numbers()
    {
        var result = CliRunner.Run("explain", "--format", "json");

        Assert.Equal(0, result.Code);
        Assert.Equal("", result.Error);
        var actual = JsonDocument.Parse(result.Out).RootElement;
        var expected = Expected();
        Assert.Equal(["forward", "gradients", "updated"], actual.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["layers", "prediction", "loss"], actual.GetProperty("forward").EnumerateObject().Select(p => p.Name));
        AssertClose(expected.GetProperty("forward").GetProperty("layers"), actual.GetProperty("forward").GetProperty("layers"), "forward.layers");
        AssertClose(expected.GetProperty("forward").GetProperty("prediction"), actual.GetProperty("forward").GetProperty("prediction"), "forward.prediction");
        AssertClose(expected.GetProperty("forward").GetProperty("loss"), actual.GetProperty("forward").GetProperty("loss"), "forward.loss");
        AssertClose(expected.GetProperty("gradients"), actual.GetProperty("gradients"), "gradients");
        AssertClose(expected.GetProperty("updated"), actual.GetProperty("updated"), "updated");
    }

    [Fact]
    public void Explain_json_with_the_example_model_file_is_the_same_as_the_built_in_one()
    {
        var builtIn = CliRunner.Run("explain", "--format", "json");
        var fromFile = CliRunner.Run("explain", "--model", TestFiles.Path("../../examples/notebook.json"), "--format", "json");

        Assert.Equal(builtIn.Out, fromFile.Out);
    }

    [Fact]
    public void Explain_json_writes_shortest_round_trip_numbers()
    {
        string output = CliRunner.Run("explain", "--format", "json").Out;

        Assert.Contains("0.9999926440963977", output);
        Assert.Contains("-0.002061946462793834", output);
        Assert.DoesNotContain("0.10000000000000001", output);
    }

    [Fact]
    public void Many_steps_stream_out_in_the_order_and_form_of_one_document()
    {
        var result = CliRunner.Succeed("explain", "--format", "json", "--steps", "2000");

        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var steps = json.RootElement.GetProperty("steps");
        Assert.Equal(2000, steps.GetArrayLength());
        var last = ExplainEngine.Run(ExplainModelFile.Notebook(), steps: 2000).Steps[^1];
        Assert.Equal(last.Loss.Value, steps[1999].GetProperty("forward").GetProperty("loss").GetDouble());
    }

    [Theory]
    [InlineData("binary_cross_entropy", "sigmoid", "[1]", "note: binary_cross_entropy takes logits and applies σ itself")]
    [InlineData("cross_entropy", "sigmoid", "0", "note: cross_entropy takes logits and applies softmax itself")]
    [InlineData("binary_cross_entropy", "identity", "[1]", null)]
    [InlineData("squared_error", "sigmoid", "[1]", null)]
    public void A_sigmoid_before_a_loss_from_logits_gets_a_note(string loss, string activation, string target, string? note)
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("m.json");
        File.WriteAllText(path, $$"""{"input": [2], "target": {{target}}, "loss": "{{loss}}", "learning_rate": 0.5, "layers": [{"activation": "{{activation}}", "weights": [[0.5]], "bias": [0]}]}""");

        var result = CliRunner.Run("explain", "--model", path);

        Assert.Equal(0, result.Code);
        if (note is null) Assert.Equal("", result.Error);
        else Assert.StartsWith(note, Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Explain_json_with_two_steps_chains_the_updated_parameters()
    {
        var result = CliRunner.Run("explain", "--format", "json", "--steps", "2");

        Assert.Equal(0, result.Code);
        var steps = JsonDocument.Parse(result.Out).RootElement.GetProperty("steps");
        Assert.Equal(2, steps.GetArrayLength());
        AssertClose(Expected().GetProperty("updated"), steps[0].GetProperty("updated"), "steps[0].updated");
        // Step 2's forward pass runs on step 1's updated parameters: z[0][0] = w'·x + b'.
        var updated = steps[0].GetProperty("updated")[0];
        double z = 7 * updated.GetProperty("weights")[0][0].GetDouble() + 2 * updated.GetProperty("weights")[0][1].GetDouble()
                 + 25 * updated.GetProperty("weights")[0][2].GetDouble() + updated.GetProperty("bias")[0].GetDouble();
        Assert.Equal(z, steps[1].GetProperty("forward").GetProperty("layers")[0].GetProperty("z")[0].GetDouble(), 1e-12);
        Assert.True(steps[1].GetProperty("forward").GetProperty("loss").GetDouble() < steps[0].GetProperty("forward").GetProperty("loss").GetDouble());
    }

    [Fact]
    public void Explain_json_for_a_batch_lists_per_sample_values()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("batch.json");
        File.WriteAllText(path, ExplainModelFileTests.Notebook(input: "[[7, 2, 25], [1, 0, -1]]", target: "[[85], [3]]"));

        var result = CliRunner.Run("explain", "--model", path, "--format", "json");

        Assert.Equal(0, result.Code);
        var forward = JsonDocument.Parse(result.Out).RootElement.GetProperty("forward");
        Assert.Equal(2, forward.GetProperty("prediction").GetArrayLength());
        Assert.Equal(2, forward.GetProperty("layers")[0].GetProperty("z")[1].GetArrayLength());
        Assert.Equal(11.9, forward.GetProperty("layers")[0].GetProperty("z")[0][0].GetDouble(), 1e-14);
    }

    [Fact]
    public void Explain_prints_the_notebook_as_text_by_default()
    {
        var result = CliRunner.Run("explain");

        Assert.Equal(0, result.Code);
        Assert.StartsWith("Backprop explain: one SGD step of a 3 → 2 → 1 network", result.Out);
        Assert.Contains("0.9999926440963977", result.Out);
    }

    [Theory]
    [InlineData("markdown", "# Backprop explain")]
    [InlineData("dot", "digraph backprop {")]
    public void Explain_prints_the_other_formats(string format, string start)
    {
        var result = CliRunner.Run("explain", "--format", format);

        Assert.Equal(0, result.Code);
        Assert.StartsWith(start, result.Out);
    }

    /// <summary>Same structure, numbers within 1e-12 relative.</summary>
    internal static void AssertClose(JsonElement expected, JsonElement actual, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                double e = expected.GetDouble(), a = actual.GetDouble();
                Assert.True(Math.Abs(e - a) <= 1e-12 * Math.Max(Math.Abs(e), 1e-300), $"{path}: expected {e:R}, got {a:R}");
                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                for (int i = 0; i < expected.GetArrayLength(); i++) AssertClose(expected[i], actual[i], $"{path}[{i}]");
                break;
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                    AssertClose(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
                break;
            default:
                Assert.Equal(expected.GetRawText(), actual.GetRawText());
                break;
        }
    }
}
