import { JunctionError } from './errors.ts';

/**
 * A secret would go to a destination it was not entered for: a connection's base URL, host or database
 * URL (or the SMTP host and port) changed and the secret was not entered again. Secrets are sealed
 * together with their destination, so a changed destination in the store does not redirect them either.
 */
export class SecretDestinationError extends JunctionError {
  override readonly code = 'secret_destination_changed';
}
