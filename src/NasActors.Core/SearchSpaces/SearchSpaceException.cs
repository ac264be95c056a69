namespace NasActors.Core.SearchSpaces;

/// <summary>An invalid search space or an architecture that does not belong to it.</summary>
public sealed class SearchSpaceException(string message) : NasUserException(message);
