namespace NasActors.Torch.Mutables;

/// <summary>A module that draws random numbers (dropout): the trainer seeds it before every step, so results do not depend on threads.</summary>
internal interface ISeeded
{
    void Seed(long seed);
}
