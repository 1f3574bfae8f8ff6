import * as RadixDialog from '@radix-ui/react-dialog';
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** While a write is in flight the dialog stays open: Esc does nothing until it has an answer. */
  busy?: boolean;
}

/**
 * A modal on Radix's Dialog, open while it is rendered: focus moves in (to `[data-autofocus]` if there is one) and
 * stays inside, the page behind is hidden from screen readers and takes no clicks, Esc closes it, and focus returns
 * to whatever had it before it opened. A click outside does not close it: a half-typed amount is not lost by a stray tap.
 * Radix's Overlay is not used: its scroll lock injects a <style> element, which the gateway's CSP refuses; the
 * backdrop is a plain element.
 */
export function Dialog({ title, onClose, children, busy = false }: DialogProps) {
  const { t } = useTranslation();
  const content = useRef<HTMLDivElement>(null);
  // Radix returns focus to its Trigger; these dialogs are opened by the screen's own buttons, so to whatever had it.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));

  return (
    <RadixDialog.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <RadixDialog.Portal>
        <div className="dialog-backdrop" />
        <RadixDialog.Content
          ref={content}
          className="dialog"
          aria-describedby={undefined}
          onOpenAutoFocus={(event) => {
            const preferred = content.current?.querySelector<HTMLElement>('[data-autofocus]');
            if (!preferred) return;
            event.preventDefault();
            preferred.focus();
          }}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            // One dialog replacing another (a form and then its result) keeps the focus in the new one.
            if (!document.querySelector('[role="dialog"]')) opener?.focus();
          }}
          onEscapeKeyDown={(event) => busy && event.preventDefault()}
          onInteractOutside={(event) => event.preventDefault()}
        >
          <div className="dialog-head">
            <RadixDialog.Title>{title}</RadixDialog.Title>
            <button type="button" className="icon-button" aria-label={t('common.close')} onClick={onClose} disabled={busy}>
              ×
            </button>
          </div>
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
