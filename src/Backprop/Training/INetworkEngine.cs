using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// What training and evaluation need from a network: a batch forward in inference mode, and a training step's
/// gradients. <see cref="DenseNetworkEngine{T}"/> runs dense stacks as fused kernels; <see cref="GraphNetworkEngine{T}"/>
/// runs any module stack (convolution, pooling, batch norm, dropout) through autograd.
/// An engine computes into buffers of its own, one call at a time: give each thread its own engine
/// (<see cref="TrainedModel"/>'s predictions do).
/// </summary>
public interface INetworkEngine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Runs the network in inference mode on a batch of flat rows and returns (batch, out), valid until the next call.</summary>
    ReadOnlySpan<T> Forward(ReadOnlySpan<T> input, int batch);

    /// <summary>One classification step: overwrites every parameter's Grad with ∂(mean softmax cross-entropy)/∂p and
    /// returns the loss summed over the batch.</summary>
    T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<int> labels, int batch);

    /// <summary>One regression step with the mean squared error: returns Σ (y − t)² over the batch.</summary>
    T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, int batch);

    /// <summary>Called before each epoch's first step: whatever is random in training (dropout masks) restarts from
    /// the run's seed and the epoch number, so that a resumed run repeats the uninterrupted one.</summary>
    void StartEpoch(long seed, int epoch);
}
