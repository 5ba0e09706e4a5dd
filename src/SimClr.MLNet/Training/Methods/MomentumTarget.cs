using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// The slowly moving copy of the online encoder and projector that MoCo (the key encoder) and BYOL (the target
/// network) compare against: never trained by the optimizer, only moved towards the online weights by
/// <see cref="MomentumUpdate"/>. It runs in training mode, so its BatchNorm uses batch statistics, as in both papers.
/// </summary>
internal sealed class MomentumTarget : IDisposable
{
    public MomentumTarget(Encoder online, nn.Module<Tensor, Tensor> onlineProjector, Func<nn.Module<Tensor, Tensor>> newProjector)
    {
        Online = online;
        OnlineProjector = onlineProjector;
        Encoder = Models.Encoder.Create(online.Spec);
        Encoder.Precision = online.Precision;
        Projector = newProjector();
        MomentumUpdate.CopyInto(Encoder, online);
        MomentumUpdate.CopyInto(Projector, onlineProjector);
    }

    public Encoder Online { get; }
    public nn.Module<Tensor, Tensor> OnlineProjector { get; }
    public Encoder Encoder { get; }
    public nn.Module<Tensor, Tensor> Projector { get; }

    /// <summary>Moves the target towards the online weights: target = m target + (1 - m) online.</summary>
    public void Update(double momentum)
    {
        MomentumUpdate.Apply(Encoder, Online, momentum);
        MomentumUpdate.Apply(Projector, OnlineProjector, momentum);
    }

    /// <summary>The target's projections of <paramref name="views"/>, without gradient.</summary>
    public Tensor Project(Tensor views)
    {
        using var _ = no_grad();
        return Projector.call(Encoder.call(views));
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Projector.Dispose();
    }
}
