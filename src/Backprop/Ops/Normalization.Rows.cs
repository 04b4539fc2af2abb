using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop;

// Batch normalisation of [N, C] input (after a dense layer): the same formulas as the [N, C, H, W] path, run row by row.
public sealed partial class Tensor<T>
{
    // NOTE: a channel of [N, C] input is a strided column of single values, so the per-plane loops of the 4-D path
    // made a library call (or a slice) per value: twice as slow as plain loops. Rows are contiguous [C] vectors,
    // and every statistic here is a whole row of channels at once.
    private static Tensor<T> BatchNormRows(Tensor<T> input, Tensor<T> weight, Tensor<T> bias, T[] runningMean, T[] runningVar,
        bool training, double momentum, double eps)
    {
        int batch = input.shape[0], channels = input.shape[1];
        var x = input.Data;
        var output = Tensor.Uninitialized<T>(input.shape);
        bool record = ShouldRecord(input, weight, bias);
        var normalised = record ? Tensor.Uninitialized<T>(input.shape) : output;
        var xHat = normalised.Data;
        var mean = new T[channels];
        var inverseDeviation = new T[channels];
        if (training)
        {
            // Two passes: the mean, then the squared deviations from it (kept in x̂'s storage, scaled below).
            for (int b = 0; b < batch; b++) TensorPrimitives.Add<T>(mean, x.Slice(b * channels, channels), mean);
            TensorPrimitives.Divide<T>(mean, T.CreateChecked(batch), mean);
            var squares = new T[channels];
            for (int b = 0; b < batch; b++)
            {
                var deviation = xHat.Slice(b * channels, channels);
                TensorPrimitives.Subtract<T>(x.Slice(b * channels, channels), mean, deviation);
                TensorPrimitives.MultiplyAdd<T>(deviation, deviation, squares, squares);
            }
            for (int c = 0; c < channels; c++)
            {
                double squaresOfChannel = double.CreateChecked(squares[c]);
                UpdateRunningStatistics(runningMean, runningVar, c, double.CreateChecked(mean[c]), squaresOfChannel, batch, momentum);
                inverseDeviation[c] = InverseDeviation(squaresOfChannel / batch, eps);
            }
        }
        else
        {
            runningMean.CopyTo(mean, 0);
            for (int c = 0; c < channels; c++) inverseDeviation[c] = InverseDeviation(double.CreateChecked(runningVar[c]), eps);
            for (int b = 0; b < batch; b++) TensorPrimitives.Subtract<T>(x.Slice(b * channels, channels), mean, xHat.Slice(b * channels, channels));
        }
        for (int b = 0; b < batch; b++)
        {
            var row = xHat.Slice(b * channels, channels);
            var result = output.Data.Slice(b * channels, channels);
            TensorPrimitives.Multiply<T>(row, inverseDeviation, row);    // x̂ = (x − mean) / σ
            TensorPrimitives.Multiply<T>(row, weight.Data, result);     // y = x̂·γ + β
            TensorPrimitives.Add<T>(result, bias.Data, result);
        }
        if (!record) return output;
        return output.Recorded("batchnorm", [input, weight, bias], grad =>
        {
            var dy = grad.Data;
            var xHat = normalised.Data;
            var sumDy = new T[channels];
            var sumDyXhat = new T[channels];
            for (int b = 0; b < batch; b++)
            {
                TensorPrimitives.Add<T>(sumDy, dy.Slice(b * channels, channels), sumDy);
                TensorPrimitives.MultiplyAdd<T>(dy.Slice(b * channels, channels), xHat.Slice(b * channels, channels), sumDyXhat, sumDyXhat);
            }
            if (weight.RequiresGrad) TensorPrimitives.Add<T>(weight.GradBuffer(), sumDyXhat, weight.GradBuffer());
            if (bias.RequiresGrad) TensorPrimitives.Add<T>(bias.GradBuffer(), sumDy, bias.GradBuffer());
            if (!input.RequiresGrad) return;
            // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)) in training; γ/σ · dy in inference.
            var factor = new T[channels];
            TensorPrimitives.Multiply<T>(weight.Data, inverseDeviation, factor);
            T n = T.CreateChecked(batch);
            var meanDy = new T[channels];
            var meanDyXhat = new T[channels];
            if (training)
            {
                TensorPrimitives.Divide<T>(sumDy, n, meanDy);
                TensorPrimitives.Divide<T>(sumDyXhat, n, meanDyXhat);
            }
            bool accumulate = input.Grad is not null;
            var dx = accumulate ? input.Grad!.Data : (input.Grad = Tensor.Uninitialized<T>(input.shape)).Data;
            var share = new T[channels];
            var correction = new T[channels];
            for (int b = 0; b < batch; b++)
            {
                TensorPrimitives.Subtract<T>(dy.Slice(b * channels, channels), meanDy, share);
                TensorPrimitives.Multiply<T>(xHat.Slice(b * channels, channels), meanDyXhat, correction);
                TensorPrimitives.Subtract<T>(share, correction, share);
                TensorPrimitives.Multiply<T>(share, factor, share);
                var target = dx.Slice(b * channels, channels);
                if (accumulate) TensorPrimitives.Add<T>(target, share, target);
                else share.CopyTo(target);
            }
        });
    }
}
