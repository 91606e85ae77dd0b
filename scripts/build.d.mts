export function bundle(
  entry: string,
  outfile: string,
  options?: { shebang?: boolean; licenses?: string },
): Promise<void>
