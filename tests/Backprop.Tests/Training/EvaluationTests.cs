using Backprop.Training;

namespace Backprop.Tests.Training;

public sealed class EvaluationTests
{
    [Fact]
    public void A_row_whose_logits_overflowed_is_wrong_and_in_no_cell_of_the_matrix()
    {
        float[] logits =
        [
            2, 1,                      // class 0, predicted 0
            float.NaN, 0,              // class 0, no prediction
            float.PositiveInfinity, 0, // class 0, no prediction (softmax of +∞ is NaN)
            float.NegativeInfinity, 3, // class 1, predicted 1 (a −∞ logit is a probability of 0)
        ];

        var evaluation = Evaluation.ForClassification(logits, [0, 0, 0, 1], classes: 2, lossSum: 0);

        Assert.Equal(0.5, evaluation.Accuracy);
        Assert.Equal(new[] { 2, 0 }, evaluation.Unpredicted);
        Assert.Equal(1, evaluation.ConfusionMatrix![0, 0]);
        Assert.Equal(0, evaluation.ConfusionMatrix![1, 0] + evaluation.ConfusionMatrix![0, 1]);
        Assert.Equal(new[] { 1.0 / 3, 1.0 }, evaluation.Recall());   // two of class 0's three samples were not found
        Assert.Equal(new[] { 1.0, 1.0 }, evaluation.Precision());
    }

    [Fact]
    public void A_row_whose_logits_are_all_negative_infinity_has_no_prediction_as_its_softmax_is_NaN()
    {
        // Such a row once took the arg max's first class, so eval scored it right where predict named no class.
        float[] logits = [float.NegativeInfinity, float.NegativeInfinity, 1, 0];

        var evaluation = Evaluation.ForClassification(logits, [0, 0], classes: 2, lossSum: 0);

        Assert.Equal(0.5, evaluation.Accuracy);
        Assert.Equal(new[] { 1, 0 }, evaluation.Unpredicted);
        Assert.Equal(1, evaluation.ConfusionMatrix![0, 0]);
    }

    [Fact]
    public void Predictions_that_do_not_match_the_targets_in_number_are_an_argument_error()
    {
        var tooFew = Assert.Throws<ArgumentException>(() => Evaluation.ForRegression([1f], [1f, 2f]));
        var tooMany = Assert.Throws<ArgumentException>(() => Evaluation.ForRegression([1f, 2f, 3f], [1f, 2f]));

        Assert.Equal("predictions", tooFew.ParamName);
        Assert.Equal("predictions", tooMany.ParamName);
    }

    [Fact]
    public void Logits_that_do_not_match_labels_times_classes_or_a_label_past_the_classes_are_argument_errors()
    {
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Evaluation.ForClassification([1f, 2f, 3f], [0, 1], classes: 2, lossSum: 0)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Evaluation.ForClassification([1f, 2f, 3f, 4f, 5f], [0, 1], classes: 2, lossSum: 0)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => Evaluation.ForClassification([1f, 2f, 3f, 4f], [0, 2], classes: 2, lossSum: 0)).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Fewer_than_one_class_is_refused_even_without_rows(int classes)
    {
        // Without rows every length agrees with any class count, so only the count itself can be refused.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.ForClassification([], [], classes, lossSum: 0));

        Assert.Equal("classes", error.ParamName);
    }
}
