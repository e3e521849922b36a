import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ReplaySubject, type Observable } from 'rxjs';
import { VsyncProcess, type SystemView } from '@gridcloud/vsync';

/**
 * The system views this process installs, as an observable: every live process and every group's members, without
 * joining those groups. A late subscriber first gets the latest view. Completes when the app shuts down.
 */
@Injectable()
export class SystemViews implements OnApplicationShutdown {
  private readonly subject = new ReplaySubject<SystemView>(1);

  constructor(@Inject(VsyncProcess) private readonly process: VsyncProcess) {
    process.onSystemView((view) => this.subject.next(view));
  }

  get views$(): Observable<SystemView> {
    return this.subject.asObservable();
  }

  /** The latest installed system view, or undefined before the process joined the system. */
  get current(): SystemView | undefined {
    return this.process.systemView;
  }

  onApplicationShutdown(): void {
    this.subject.complete();
  }
}
