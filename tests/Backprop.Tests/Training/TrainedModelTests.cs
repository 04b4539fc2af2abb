using Backprop.Data;
using Backprop.Nn;
using Backprop.Training;

namespace Backprop.Tests.Training;

public sealed class TrainedModelTests
{
    private static Sequential<float> Dense(int inputs, int outputs) => new(new Linear<float>(inputs, outputs, new Random(1)));

    // Rows over several evaluation batches (1024) and a last short one, features far from standard.
    private static (float[] Features, int Rows) RawRows(int seed)
    {
        var random = new Random(seed);
        const int rows = 2500, features = 5;
        return ([.. Enumerable.Range(0, rows * features).Select(i => (float)(random.NextDouble() * 200 - 50 + i % features * 1000))], rows);
    }

    [Fact]
    public void Raw_data_is_scored_as_the_prepared_copy_of_it_would_be()
    {
        var (features, rows) = RawRows(1);
        string[] names = ["a", "b", "c", "d", "e"];
        var labels = Enumerable.Range(0, rows).Select(i => i % 3).ToArray();
        var data = DataSet.Classification(features, rows, names, [5], labels, ["x", "y", "z"]);
        var model = new TrainedModel(Dense(5, 3), TaskKind.Classification, names, [5], ["x", "y", "z"], Standardizer.Fit(data));

        var direct = model.Evaluate(data);
        var prepared = model.EvaluatePrepared(model.Prepare(data), null);
        var (classes, probabilities) = model.PredictClasses(data);
        float[] logits = model.RawOutputs(model.Prepare(data));

        Assert.Equal(prepared.Loss, direct.Loss);
        Assert.Equal(prepared.Accuracy, direct.Accuracy);
        Assert.Equal(Enumerable.Range(0, rows).Select(r => Evaluation.ArgMax(logits.AsSpan(r * 3, 3))), classes);
        Assert.NotEqual(new TrainedModel(model.Network, TaskKind.Classification, names, [5], ["x", "y", "z"], null).Evaluate(data).Loss,
            direct.Loss); // standardisation matters: the raw features alone score otherwise
        Assert.Equal(rows * 3, probabilities.Length);
        Assert.Equal(features, RawRows(1).Features); // the caller's data is left as it was
    }

    [Fact]
    public void Raw_regression_data_is_scored_and_predicted_as_the_prepared_copy_of_it_would_be()
    {
        var (features, rows) = RawRows(2);
        string[] names = ["a", "b", "c", "d", "e"];
        var targets = Enumerable.Range(0, rows).Select(i => features[i * 5] * 3 + 7).ToArray();
        var data = DataSet.Regression(features, rows, names, [5], targets);
        var model = new TrainedModel(Dense(5, 1), TaskKind.Regression, names, [5], null, Standardizer.Fit(data), targetMean: 40, targetScale: 9);

        var direct = model.Evaluate(data);
        var prepared = model.EvaluatePrepared(model.Prepare(data), targets);
        float[] values = model.PredictValues(data);
        float[] scaled = model.RawOutputs(model.Prepare(data));

        Assert.Equal(prepared.Rmse, direct.Rmse);
        Assert.Equal(scaled.Select(v => (float)(v * 9.0 + 40)), values);
        Assert.Equal(features, RawRows(2).Features);
    }

    [Fact]
    public void A_network_of_two_outputs_is_refused_for_three_classes()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new TrainedModel(Dense(2, 2), TaskKind.Classification, ["a", "b"], [2], ["x", "y", "z"], null));

        Assert.Equal("network", error.ParamName);
        Assert.Contains("gives 2 outputs per sample, the 3 classes need one each", error.Message);
    }

    [Fact]
    public void A_regression_network_of_two_outputs_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainedModel(Dense(2, 2), TaskKind.Regression, ["a", "b"], [2], null, null));

        Assert.Contains("a regression model needs 1", error.Message);
    }

    [Fact]
    public void A_network_that_takes_other_inputs_than_the_input_shape_is_refused_naming_both()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainedModel(Dense(3, 1), TaskKind.Regression, ["a", "b"], [2], null, null));

        Assert.Contains("does not take input shape [2]", error.Message);
        Assert.Contains("weight [1, 3]", error.Message);
    }

    [Fact]
    public void A_convolutional_network_is_checked_in_its_image_shape_and_keeps_its_training_mode()
    {
        var random = new Random(1);
        var network = new Sequential<float>(new Conv2d<float>(1, 2, kernel: 3, random), new BatchNorm<float>(2), new Flatten<float>(),
            new Linear<float>(2 * 2 * 2, 3, random));
        string[] pixels = [.. Enumerable.Range(0, 16).Select(i => $"p{i}")];

        var model = new TrainedModel(network, TaskKind.Classification, pixels, [1, 4, 4], ["x", "y", "z"], null);

        Assert.Equal(3, model.OutputWidth);
        Assert.True(network.Training);
        Assert.Equal([0f, 0f], ((BatchNorm<float>)network.Layers[1]).RunningMean.ToArray());
    }

    [Fact]
    public void A_classification_model_without_class_names_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainedModel(Dense(2, 2), TaskKind.Classification, ["a", "b"], [2], null, null));

        Assert.Equal("classNames", error.ParamName);
    }

    [Fact]
    public void Feature_names_that_do_not_count_the_input_values_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainedModel(Dense(2, 1), TaskKind.Regression, ["a", "b", "c"], [2], null, null));

        Assert.Contains("3 feature names for input shape [2] of 2 values", error.Message);
    }

    [Fact]
    public void A_standardisation_of_another_width_is_refused()
    {
        var normalizer = new Standardizer([0f, 0f, 0f], [1f, 1f, 1f]);

        var error = Assert.Throws<ArgumentException>(() => new TrainedModel(Dense(2, 1), TaskKind.Regression, ["a", "b"], [2], null, normalizer));

        Assert.Equal("normalizer", error.ParamName);
    }

    [Fact]
    public void Evaluating_leaves_the_network_in_training_mode_for_the_next_step_of_a_loop()
    {
        var random = new Random(1);
        var network = new Sequential<float>(new Linear<float>(2, 4, random), new BatchNorm<float>(4), new Dropout<float>(0.5), new Linear<float>(4, 2, random));
        var model = new TrainedModel(network, TaskKind.Classification, ["a", "b"], [2], ["x", "y"], null);
        var data = DataSet.Classification([0f, 1, 1, 0, 2, 2, 3, 1], 4, ["a", "b"], [2], [0, 1, 0, 1], ["x", "y"]);

        model.Evaluate(data);

        Assert.All(network.Layers, layer => Assert.True(layer.Training));
    }

    [Fact]
    public void A_test_set_numbering_its_classes_its_own_way_is_scored_by_class_name()
    {
        // test.csv loaded on its own lacks class x, so its sorted names [y, z] number y as 0, where the model's x is 0.
        var model = new TrainedModel(Dense(2, 3), TaskKind.Classification, ["a", "b"], [2], ["x", "y", "z"], null);
        float[] features = [0f, 1, 1, 0, 2, 2, 3, 1];
        var ownNumbering = DataSet.Classification(features, 4, ["a", "b"], [2], [0, 1, 1, 0], ["y", "z"]);
        var modelNumbering = DataSet.Classification(features, 4, ["a", "b"], [2], [1, 2, 2, 1], ["x", "y", "z"]);

        var scored = model.Evaluate(ownNumbering);
        var expected = model.Evaluate(modelNumbering);

        Assert.Equal(expected.Loss, scored.Loss);
        Assert.Equal(expected.Accuracy, scored.Accuracy);
        Assert.Equal(expected.ConfusionMatrix, scored.ConfusionMatrix);
    }

    [Fact]
    public void A_data_set_numbering_its_classes_its_own_way_is_prepared_by_class_name()
    {
        // Trainer.Fit trains and tests on Prepare's copies, not through Evaluate: their labels must be the model's numbers too.
        var model = new TrainedModel(Dense(2, 3), TaskKind.Classification, ["a", "b"], [2], ["x", "y", "z"], null);
        var ownNumbering = DataSet.Classification([0f, 1, 1, 0, 2, 2, 3, 1], 4, ["a", "b"], [2], [0, 1, 1, 0], ["y", "z"]);

        var prepared = model.Prepare(ownNumbering);

        Assert.Equal(new[] { 1, 2, 2, 1 }, prepared.Labels);
    }

    [Fact]
    public void A_class_the_model_never_saw_is_refused_by_name()
    {
        var model = new TrainedModel(Dense(2, 2), TaskKind.Classification, ["a", "b"], [2], ["x", "y"], null);
        var data = DataSet.Classification([0f, 1, 1, 0], 2, ["a", "b"], [2], [0, 1], ["x", "w"]);

        var error = Assert.Throws<ArgumentException>(() => model.Evaluate(data));

        Assert.Contains("'w'", error.Message);
    }
}
