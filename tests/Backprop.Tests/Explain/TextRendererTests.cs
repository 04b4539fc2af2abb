using Backprop.Explain;
using Backprop.IO;

namespace Backprop.Tests.Explain;

public sealed class TextRendererTests
{
    private const string SnapshotFile = "Explain/Snapshots/notebook.txt";

    /// <summary>The whole text output for the notebook, against the committed snapshot. To accept a deliberate
    /// change, run the tests with UPDATE_SNAPSHOTS=1 and review the diff.</summary>
    [Fact]
    public void The_notebook_explanation_matches_the_snapshot()
    {
        string actual = TextRenderer.Render(ExplainEngine.Run(ExplainModelFile.Notebook())).ReplaceLineEndings("\n");

        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1") File.WriteAllText(TestFiles.Path(SnapshotFile), actual);

        Assert.Equal(TestFiles.ReadText(SnapshotFile), actual);
    }

    [Fact]
    public void The_notebook_explanation_shows_its_equations_with_numbers()
    {
        string text = TextRenderer.Render(ExplainEngine.Run(ExplainModelFile.Notebook()));

        Assert.Contains("= 0.1·7 + 0.1·2 + 0.6·25 + (-4)", text);
        Assert.Contains("a[0][1] (g2) = σ(z[0][1]) = σ(11.82) = 0.9999926440963977", text);
        Assert.Contains("∂C/∂w[0][0,0] (w1) = x[0] · σ'(z[0][0]) · w[1][0,0] · 2(ŷ[0] − y[0])", text);
        Assert.Contains("w[1][0,1] (w8) = 0.4 − 0.1 · (-144.59894629520394) = 14.859894629520396", text);
    }

    [Fact]
    public void A_batch_shows_each_samples_share_of_a_gradient()
    {
        var model = ExplainModelFile.Parse(IO.ExplainModelFileTests.Notebook(input: "[[7, 2, 25], [1, 0, -1]]", target: "[[85], [3]]", loss: "\"mse\""), "batch.json");

        string text = TextRenderer.Render(ExplainEngine.Run(model));

        Assert.Contains("Forward pass, sample 1", text);
        Assert.Contains("Σ over samples of a[0][0] · 2(ŷ[0] − y[0])/2", text);
        Assert.Contains("        sample 1: ", text);
    }

    [Fact]
    public void A_negative_target_is_parenthesised_where_it_is_subtracted()
    {
        var model = ExplainModelFile.Parse(IO.ExplainModelFileTests.Notebook(target: "[-3]"), "negative.json");

        string text = TextRenderer.Render(ExplainEngine.Run(model));

        Assert.Contains("C = (12.699995020530949 − (-3))²", text);
        Assert.Contains("= 2·(12.699995020530949 − (-3))", text);
        Assert.DoesNotContain("− -", text);
    }

    [Fact]
    public void Several_steps_are_shown_one_after_another_with_the_loss_of_each()
    {
        string text = TextRenderer.Render(ExplainEngine.Run(ExplainModelFile.Notebook(), steps: 2));

        Assert.Contains("Step 2 of 2", text);
        Assert.Contains("step 1: C = 5227.290720031249", text);
    }

    [Theory]
    [InlineData("cross_entropy", "2", "p = softmax(ŷ)")]
    [InlineData("binary_cross_entropy", "[1, 0, 1]", "log(1 + e^−")]
    [InlineData("mse", "[1, 2, 3]", "/ 3")]
    public void Every_loss_is_written_out(string loss, string target, string phrase)
    {
        string layer1 = """{"activation": "tanh", "weights": [[0.3, 0.4], [0.1, 0.2], [0.5, 0.6]], "bias": [0, 0.1, 0]}""";
        var model = ExplainModelFile.Parse(IO.ExplainModelFileTests.Notebook(loss: $"\"{loss}\"", target: target, layer1: layer1), "m.json");

        string text = TextRenderer.Render(ExplainEngine.Run(model));

        Assert.Contains(phrase, text);
        Assert.Contains("∂C/∂ŷ[2]", text);
    }

    [Fact]
    public void Every_derivative_line_is_a_true_equation()
    {
        // "relu'(z[0][1]) = z = 1.5 = 1" read as if the slope were z.
        var model = ExplainModelFile.Parse("""
            {"input": [1, 2], "target": [1], "loss": "squared_error", "learning_rate": 0.1,
             "layers": [{"activation": "relu", "weights": [[1, -0.5], [0.5, 0.5]], "bias": [0, 0]},
                        {"activation": "gelu", "weights": [[1, -1]], "bias": [-0.2]}]}
            """, "relu-gelu.json");

        string text = TextRenderer.Render(ExplainEngine.Run(model));

        Assert.Contains("relu'(z[0][0]) = relu'(0) = 0\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("relu'(z[0][1]) = relu'(1.5) = 1\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("gelu'(z[1][0]) = Φ(-1.7) + (-1.7) · φ(-1.7) = -0.1153", text);
        Assert.DoesNotContain("= z =", text);
    }
}
