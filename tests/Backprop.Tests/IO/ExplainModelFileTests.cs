using Backprop.Explain;
using Backprop.IO;
using Backprop.Nn;

namespace Backprop.Tests.IO;

public sealed class ExplainModelFileTests
{
    /// <summary>The notebook network with one field replaced (a JSON fragment spliced over the original text).</summary>
    internal static string Notebook(string? input = null, string? target = null, string? loss = null, string? learningRate = null,
        string? layer0 = null, string? layer1 = null, string? layers = null)
    {
        layer0 ??= """{"type": "dense", "activation": "sigmoid", "weights": [[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]], "bias": [-4, -2]}""";
        layer1 ??= """{"type": "dense", "activation": "identity", "weights": [[0.3, 0.4]], "bias": [12]}""";
        return $$"""
            {
              "input": {{input ?? "[7, 2, 25]"}},
              "target": {{target ?? "[85]"}},
              "loss": {{loss ?? "\"squared_error\""}},
              "learning_rate": {{learningRate ?? "0.1"}},
              "layers": {{layers ?? $"[{layer0}, {layer1}]"}}
            }
            """;
    }

    [Fact]
    public void The_built_in_notebook_model_is_the_notebooks_network()
    {
        var model = ExplainModelFile.Notebook();

        Assert.Equal([7.0, 2.0, 25.0], model.Inputs.Single());
        Assert.False(model.IsBatch);
        Assert.Equal([85.0], model.Targets.Single());
        Assert.Equal(LossKind.SquaredError, model.Loss);
        Assert.Equal(0.1, model.LearningRate);
        Assert.Equal(2, model.Layers.Count);
        Assert.Equal(Activation.Sigmoid, model.Layers[0].Activation);
        Assert.Equal([0.16, 0.1, 0.5], model.Layers[0].Weights[1]);
        Assert.Equal([12.0], model.Layers[1].Bias);
    }

    [Fact]
    public void The_example_file_and_the_embedded_copy_are_the_same_model()
    {
        var fromFile = ExplainModelFile.Load(TestFiles.Path("../../examples/notebook.json"));
        var embedded = ExplainModelFile.Notebook();

        Assert.Equal(embedded.Layers.SelectMany(layer => layer.Weights.SelectMany(row => row)), fromFile.Layers.SelectMany(layer => layer.Weights.SelectMany(row => row)));
        Assert.Equal(embedded.Inputs[0], fromFile.Inputs[0]);
    }

    [Fact]
    public void A_batch_is_a_list_of_vectors_with_one_target_per_sample()
    {
        var model = ExplainModelFile.Parse(Notebook(input: "[[7, 2, 25], [1, 0, -1]]", target: "[[85], [3]]"), "batch.json");

        Assert.True(model.IsBatch);
        Assert.Equal(2, model.SampleCount);
        Assert.Equal([3.0], model.Targets[1]);
    }

    [Fact]
    public void Cross_entropy_targets_are_class_indices()
    {
        string layer1 = """{"activation": "identity", "weights": [[0.3, 0.4], [0.1, 0.2], [0.5, 0.6]], "bias": [0, 0, 0]}""";
        var single = ExplainModelFile.Parse(Notebook(target: "2", loss: "\"cross_entropy\"", layer1: layer1), "m.json");
        var batch = ExplainModelFile.Parse(Notebook(input: "[[7, 2, 25], [1, 1, 1]]", target: "[0, 2]", loss: "\"cross_entropy\"", layer1: layer1), "m.json");

        Assert.Equal([2.0], single.Targets[0]);
        Assert.Equal([0.0], batch.Targets[0]);
        Assert.Equal([2.0], batch.Targets[1]);
    }

    public static TheoryData<string, string, string> BadFiles() => new()
    {
        // json, the location the message must name, a phrase it must contain
        { """{"input": [1, 2,""", "line 1, column", "malformed JSON" },
        { "[1, 2]", "model.json: expected a JSON object", "JSON object" },
        { Notebook().Replace("\"input\": [7, 2, 25],", ""), "input", "required field is missing" },
        { Notebook().Replace("\"target\": [85],", ""), "target", "required field is missing" },
        { Notebook().Replace("\"loss\": \"squared_error\",", ""), "loss", "required field is missing" },
        { Notebook().Replace("\"learning_rate\": 0.1,", ""), "learning_rate", "required field is missing" },
        { Notebook(layers: "[]"), "layers", "at least one dense layer" },
        { Notebook(layers: "{}"), "layers", "expected a list of layers" },
        { Notebook(layer0: """{"activation": "sigmoid", "bias": [1, 2]}"""), "layers[0].weights", "required field is missing" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]]}"""), "layers[0].bias", "required field is missing" },
        { Notebook(layer1: """{"weights": [[0.3, 0.4]], "bias": [12]}"""), "layers[1].activation", "required field is missing" },
        { Notebook(layer0: """{"activation": "sigmoidd", "weights": [[0.1, 0.1, 0.6]], "bias": [1]}"""), "layers[0].activation", "expected one of: identity, sigmoid, tanh, relu, leaky_relu, softplus, gelu" },
        { Notebook(layer0: """{"type": "conv2d", "activation": "relu", "weights": [[0.1, 0.1, 0.6]], "bias": [1]}"""), "layers[0].type", "unknown layer type" },
        { Notebook(loss: "\"hinge\""), "loss", "expected one of: squared_error, mse, cross_entropy, binary_cross_entropy" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, 0.1], [0.16, 0.1]], "bias": [-4, -2]}"""), "layers[0].weights[0]", "expected 3 numbers (the input has 3 features), found 2" },
        { Notebook(layer1: """{"activation": "identity", "weights": [[0.3, 0.4, 0.5]], "bias": [12]}"""), "layers[1].weights[0]", "expected 2 numbers (the previous layer has 2 outputs), found 3" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, 0.1, 0.6], [0.16, 0.1]], "bias": [-4, -2]}"""), "layers[0].weights[1]", "expected 3 numbers" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, "a", 0.6], [0.16, 0.1, 0.5]], "bias": [-4, -2]}"""), "layers[0].weights[0][1]", "expected a number, found the string \"a\"" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]], "bias": ["NaN", -2]}"""), "layers[0].bias[0]", "NaN and infinities are not allowed" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, 0.1, 1e400], [0.16, 0.1, 0.5]], "bias": [-4, -2]}"""), "layers[0].weights[0][2]", "finite" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]], "bias": [-4]}"""), "layers[0].bias", "expected 2 numbers (one per row of weights), found 1" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [], "bias": []}"""), "layers[0].weights", "at least one row" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [0.1, 0.1, 0.6], "bias": [1]}"""), "layers[0].weights[0]", "weights are [out][in]" },
        { Notebook(input: "[]"), "input", "is empty" },
        { Notebook(input: "[[7, 2, 25], [1, 2]]", target: "[[85], [3]]"), "input[1]", "expected 3 numbers (as in input[0]), found 2" },
        { Notebook(input: "\"seven\""), "input", "found the string \"seven\"" },
        { Notebook(target: "[85, 86]"), "target", "expected 1 number (the last layer has 1 output), found 2" },
        { Notebook(target: "85"), "target", "expected a list of 1 number" },
        { Notebook(input: "[[7, 2, 25], [1, 2, 3]]", target: "[[85]]"), "target", "expected 2 targets (one per input sample), found 1" },
        { Notebook(input: "[[7, 2, 25], [1, 2, 3]]", target: "[85, 3]"), "target", "one per input sample, as the input is a batch" },
        { Notebook(loss: "\"cross_entropy\"", target: "1"), "target", "class index 1 is out of range: the last layer has 1 output, so classes are 0 to 0" },
        { Notebook(loss: "\"cross_entropy\"", target: "0.5"), "target", "expected a class index (a whole number), found 0.5" },
        { Notebook(loss: "\"cross_entropy\"", target: "-1"), "target", "out of range" },
        { Notebook(loss: "\"cross_entropy\"", input: "[[7, 2, 25], [1, 2, 3]]", target: "[0, \"b\"]"), "target[1]", "expected a class index" },
        { Notebook(loss: "\"binary_cross_entropy\"", target: "[0.5]"), "target[0]", "binary_cross_entropy targets must be 0 or 1, found 0.5" },
        { Notebook(learningRate: "\"fast\""), "learning_rate", "expected a number" },
        { Notebook(learningRate: "-0.5"), "learning_rate", "must be zero or positive, found -0.5" },
        { Notebook().Replace("\"learning_rate\"", "\"learning_rat\""), "learning_rat", "unknown key; a model file takes input, target, loss, learning_rate, layers" },
        { Notebook(layer0: """{"activaton": "relu", "weights": [[0.1, 0.1, 0.6]], "bias": [1]}"""), "layers[0].activaton", "unknown key; a layer takes type, activation, weights, bias" },
        { Notebook(layer1: """{"typ": "conv2d", "activation": "relu", "weights": [[0.3, 0.4]], "bias": [1]}"""), "layers[1].typ", "unknown key" },
        // a key of 5,000 characters is quoted by its start, not whole
        { Notebook().Replace("\"learning_rate\"", $"\"learning_{new string('a', 4991)}\""), $"learning_{new string('a', 71)}… (5,000 characters)", "unknown key" },
        { Notebook(learningRate: "0.1, \"learning_rate\": 5"), "learning_rate", "the key is given twice, at line 5, column 3 and at line 5, column 25" },
        { Notebook(layer0: """{"activation": "sigmoid", "weights": [[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]], "bias": [-4, -2], "bias": [7, 7]}"""), "layers[0].bias", "the key is given twice" },
        { Notebook(input: """[{"a": 1, "a": 2}]"""), "input[0].a", "the key is given twice" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_model_file_throws_an_error_naming_the_file_and_the_field(string json, string location, string phrase)
    {
        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Parse(json, "model.json"));

        Assert.StartsWith("model.json: ", error.Message);
        Assert.Contains(location.StartsWith("model.json") ? location : $"model.json: {location}", error.Message);
        Assert.Contains(phrase, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Malformed_json_is_located_by_line_and_column_counted_from_one()
    {
        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Parse("{\n  \"input\": [1, 2],\n  \"target\": }\n", "m.json"));

        Assert.Equal("line 3, column 13", error.Location);
        Assert.DoesNotContain("LineNumber", error.Message);
    }

    [Theory]
    [InlineData("{\"loss\": \"ééééé\" \"input\": 1}", "line 1, column 18")]
    [InlineData("{\"loss\": \"e\u0301\u263A\uD83D\uDE00\" ]", "line 1, column 16")]
    [InlineData("{\n  \"loss\": \"mse\", // é\n  \"é\": 1 ]", "line 3, column 10")]
    public void The_column_of_malformed_json_counts_characters_not_utf8_bytes(string json, string location)
    {
        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Parse(json, "m.json"));

        Assert.Equal(location, error.Location);
    }

    [Fact]
    public void A_key_given_twice_is_refused_rather_than_the_last_one_winning()
    {
        const string json = """{"input":[1,2],"target":[3],"loss":"squared_error","learning_rate":0.1,"learning_rate":5,"layers":[{"activation":"identity","weights":[[1,2]],"bias":[0],"bias":[7]}]}""";

        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Parse(json, "m.json"));

        Assert.Equal("m.json: learning_rate: the key is given twice, at line 1, column 52 and at line 1, column 72; give it once", error.Message);
    }

    [Fact]
    public void A_duplicate_key_is_located_in_characters_after_accented_text()
    {
        const string json = """{"loss": "ééééé", "loss": "mse"}""";

        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Parse(json, "m.json"));

        Assert.Contains("at line 1, column 2 and at line 1, column 19", error.Message);
    }

    [Fact]
    public void A_folder_is_named_as_a_folder_not_an_unreadable_file()
    {
        using var directory = new TestFiles.TemporaryDirectory();

        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Load(directory.Path));

        Assert.StartsWith($"{directory.Path}: this is a folder, not a file", error.Message);
    }

    [Fact]
    public void An_empty_path_is_named_as_empty()
    {
        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Load(""));

        Assert.StartsWith("\"\": the path is empty", error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_model_file_error()
    {
        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Load("/nonexistent/model.json"));

        Assert.StartsWith("/nonexistent/model.json: cannot read the file", error.Message);
    }

    [Fact]
    public void A_file_larger_than_any_explain_model_is_refused_without_being_read()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("huge.json");
        using (var stream = File.Create(path)) stream.SetLength(ExplainModelFile.MaxFileBytes + 1L); // sparse

        var error = Assert.Throws<ModelFileException>(() => ExplainModelFile.Load(path));

        Assert.Equal($"{path}: the file is larger than 256 MB; an explain model is a small network written as JSON, as in examples/notebook.json", error.Message);
    }
}
