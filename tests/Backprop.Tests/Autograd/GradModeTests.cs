namespace Backprop.Tests.Autograd;

public sealed class GradModeTests
{
    private static Tensor<float> Weight() => Tensor.FromArray(new[] { 1f, 2f }, 2).RequireGrad();

    [Fact]
    public async Task A_NoGrad_scope_holds_across_an_await_inside_it()
    {
        var weight = Weight();
        using (GradMode.NoGrad())
        {
            await Task.Yield();
            Assert.False((weight * weight).RequiresGrad);
        }
        Assert.True((weight * weight).RequiresGrad);
    }

    [Fact]
    public void A_thread_whose_handler_awaited_inside_a_NoGrad_scope_records_again_once_the_handler_returns()
    {
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        static async Task Handler(Task request)
        {
            using (GradMode.NoGrad()) await request; // the scope ends on whichever pool thread resumes the handler
        }
        bool recordingAfterwards = false;
        using var awaiting = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            var handled = Handler(resume.Task);
            awaiting.Set();
            handled.Wait();
            recordingAfterwards = GradMode.IsEnabled;
        });
        thread.Start();
        awaiting.Wait();
        resume.SetResult();
        thread.Join();

        Assert.True(recordingAfterwards);
    }

    [Fact]
    public void A_NoGrad_scope_does_not_stop_a_thread_already_running_elsewhere_from_recording()
    {
        var weight = Weight();
        bool recordedElsewhere = false;
        using var scopeOpen = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            scopeOpen.Wait();
            recordedElsewhere = (weight * weight).RequiresGrad;
        });
        thread.Start();
        using (GradMode.NoGrad())
        {
            scopeOpen.Set();
            thread.Join();
        }
        Assert.True(recordedElsewhere);
    }
}
